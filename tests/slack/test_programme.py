"""The roll-up for leadership: every strategic account, those needing attention first,
paged with "Next" within Slack's limits for 300 accounts; the monthly post in its channel."""

import json
from datetime import UTC, datetime, timedelta

from sambot.accounts.models import Account, TeamMember, TeamRole, Tier
from sambot.dates import today_in
from sambot.jobs.runner import JobOptions, run_job
from sambot.localslack.blockkit import MESSAGE_BLOCKS
from sambot.slack.client import build_web_client
from sambot.touchpoints.models import Source, Touchpoint, TouchpointKind
from sambot.workspaces import service as workspaces
from tests.slack.conftest import DANA, GENERAL, LEE


def portfolio(db, count: int = 300) -> None:
    """`count` strategic accounts: every tenth lacks a sponsor, every 25th a channel; all but
    those have a recent touchpoint. Two accounts of another tier are left out."""
    recent = today_in("UTC") - timedelta(days=5)
    with db.session() as session:
        workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
        for n in range(count):
            account = Account(
                workspace_id=workspace.id,
                name=f"Client {n:03d}",
                owner_id=DANA,
                channel_id=None if n % 25 == 0 else f"C{n:05d}",
                tier=Tier.STRATEGIC,
                annual_revenue=1_000_000 + n,
                gross_margin=300_000,
                currency="EUR",
            )
            session.add(account)
            session.flush()
            if n % 10:
                session.add(
                    TeamMember(
                        workspace_id=workspace.id,
                        account_id=account.id,
                        user_id=LEE,
                        role=TeamRole.EXECUTIVE_SPONSOR,
                    )
                )
                session.add(
                    Touchpoint(
                        workspace_id=workspace.id,
                        account_id=account.id,
                        occurred_on=recent,
                        kind=TouchpointKind.MEETING,
                        summary="Review",
                        logged_by=DANA,
                        source=Source.COMMAND,
                    )
                )
        for name in ("Small one", "Key one"):
            session.add(Account(workspace_id=workspace.id, name=name, owner_id=DANA, tier=Tier.KEY))


def names_in(message: dict) -> list[str]:
    text = json.dumps(message["blocks"])
    return [word.split("*")[0] for word in text.split("*Client ")[1:]]


def test_the_roll_up_pages_through_300_accounts(slack, db):
    portfolio(db)  # 30 without a sponsor, 6 more without a channel
    slack.command("/sam", "programme", channel=GENERAL)
    page = slack.ephemeral(DANA, "Strategic accounts programme")
    assert "*300* strategic accounts · *36* need attention" in json.dumps(page, ensure_ascii=False)
    seen: list[str] = []
    for turn in range(15):
        assert len(page["blocks"]) <= MESSAGE_BLOCKS
        seen += names_in(page)
        if turn == 0:
            # No sponsor (and no touchpoint) first; the one without a channel too first of all.
            assert names_in(page)[:2] == ["000", "050"]
            assert ":warning: no executive sponsor, no linked channel" in json.dumps(page)
        nexts = [
            e
            for b in page["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "programme_next"
        ]
        if turn == 14:
            assert nexts == [], "the last page has no Next"
            break
        slack.requests.block_action(
            DANA, "programme_next", value=nexts[0]["value"], message=page, channel_id=GENERAL
        )
        page = slack.ephemeral(DANA, f"Accounts {20 * (turn + 1) + 1}-")
    assert sorted(seen) == [f"{n:03d}" for n in range(300)], "every account once, none twice"
    assert "Key one" not in json.dumps(page)
    assert slack.standin.violations == []


def test_the_monthly_roll_up_goes_to_the_programme_channel_once(slack, db):
    portfolio(db, count=45)
    slack.command("/sam", "programme channel", channel=GENERAL)
    slack.channel_message(GENERAL, "chose this channel for the programme roll-up")
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    at = datetime(2027, 1, 4, 9, tzinfo=UTC)
    [summary] = run_job("programme", db, client, at=at, options=JobOptions())
    assert summary.posted == [f"programme (<#{GENERAL}>)"]
    post = slack.channel_message(GENERAL, "Strategic accounts programme")
    # Early in January: completed actions are counted from the start of December.
    assert "0 done since Tue 01 Dec" in json.dumps(post["blocks"])
    [again] = run_job("programme", db, client, at=at, options=JobOptions())
    assert again.posted == []
    # "Next" under the channel post answers the presser alone.
    button = next(
        e
        for b in post["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "programme_next"
    )
    slack.requests.block_action(
        LEE, "programme_next", value=button["value"], message=post, channel_id=GENERAL
    )
    slack.ephemeral(LEE, "Accounts 21-40 of 45")
