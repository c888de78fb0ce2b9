"""/sam report: a private preview, the client version, and "Post to channel".

A channel shared with the client (Slack Connect) must never receive the internal report.
The month seeded by `seed.october_activity` fills every internal part of the report with
text found nowhere else, so each part is checked present in the internal version and
absent from every message the client can see.
"""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.jobs.runner import JobOptions, run_job
from sambot.slack.client import build_web_client
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL

SHARED_CHANNEL = "CSHARED"

# What only the internal report shows, part by part.
INTERNAL = {
    "headline figures": ["Actions opened", "Stakeholders engaged", "vs September"],
    "internal actions": ["Internal pricing review", "Chase legal", "Internal renewal prep"],
    "obstacles": ["obstacle:", "Legal is blocking quietly", "Their CIO resists the rollout"],
    "touchpoint sentiment": ["Touchpoints (2)", "Meeting: 1 (1 negative)", "Call: 1 (1 positive)"],
    "coverage gaps": [
        "Key stakeholders past their touch cadence (2)",
        "Gloria Gatekeeper",
        "Chief Revenue Officer",
        "gatekeeper, power 5, influence 4, blocker",
        "last touchpoint",
        "Nora Nevermet",
        "skeptic",
        "never met",
    ],
    "relationship coverage": ["*Coverage:*", "no executive sponsor on the account team"],
    "objectives": ["Objective Zephyr expansion", "At risk", "long term"],
    "markers": ["shared with client", "Internal:", "/sam report client"],
    "fallback text": ["Monthly report for", "2 touchpoints", "1 stakeholder engaged"],
}
# What both versions show: the actions shared with the client.
SHARED = ["Shared kickoff done", "Shared rollout plan"]
CLIENT_TEXT = "Monthly update for Acme, October 2026: 1 shared action completed, 1 open."


def visible(message: dict) -> str:
    """Everything the channel's members read: the fallback text and every block."""
    return message["text"] + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def assert_internal(message: dict) -> None:
    shown = visible(message)
    missing = [text for texts in INTERNAL.values() for text in texts if text not in shown]
    assert missing == [], "the seeded month must fill every internal part"
    assert all(text in shown for text in SHARED)


def assert_client_version(message: dict) -> None:
    shown = visible(message)
    leaked = {
        part: [text for text in texts if text in shown]
        for part, texts in INTERNAL.items()
        if any(text in shown for text in texts)
    }
    assert leaked == {}, "internal parts reached a message the client can see"
    assert message["text"] == CLIENT_TEXT
    assert "Monthly update · Acme · October 2026" in shown
    assert all(text in shown for text in SHARED)


def link_to_shared_channel(slack, db) -> int:
    """Acme linked, with `/sam link`, in a channel Slack says is shared with the client."""
    account_id = seed.acme(db, channel=None)
    seed.october_activity(db, account_id)
    slack.standin.add_channel(SHARED_CHANNEL, "acme-connect", is_ext_shared=True)
    slack.command("/sam", "link Acme", channel=SHARED_CHANNEL)
    slack.channel_message(SHARED_CHANNEL, "linked this channel")
    return account_id


def press_post(slack, preview, channel) -> dict:
    """Press "Post to channel" on a preview; the message it posted."""
    before = len(slack.standin.messages(channel))
    slack.requests.block_action(DANA, "report_post_to_channel", message=preview, channel_id=channel)
    slack.ephemeral(DANA, f"Report for {seed.OCTOBER} posted in <#{channel}>")
    posted = slack.standin.messages(channel)
    assert len(posted) == before + 1
    return posted[-1]


def share_channel(slack, db, channel) -> None:
    """Slack Connect starts: Slack sends `channel_shared`, the app asks conversations.info."""
    slack.standin.add_channel(channel, "acme", is_ext_shared=True)
    slack.requests.event({"type": "channel_shared", "channel": channel, "connected_team_id": "TC"})
    slack.wait("conversations.info", lambda call: call.args["channel"] == channel)
    with db.session() as session:
        assert session.scalar(select(Account.channel_shared_with_client)) is True


def run_monthly_report(slack, db):
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    # Run on 2 November 2026: the report on October.
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    [summary] = run_job("monthly-report", db, client, at=at, options=JobOptions())
    return summary


def monthly_posts(slack, channel) -> list[dict]:
    return [m for m in slack.standin.messages(channel) if m["text"].startswith("Monthly")]


def test_report_preview_then_post(slack, db):
    seed.october_activity(db, seed.acme(db))
    slack.command("/sam", f"report {seed.OCTOBER}")
    preview = slack.ephemeral(DANA, "Post to channel")
    assert "Preview: only you can see this." in json.dumps(preview["blocks"])
    assert_internal(preview)
    posted = press_post(slack, preview, ACME_CHANNEL)
    assert "Post to channel" not in json.dumps(posted["blocks"])
    assert_internal(posted)


def test_the_client_version_preview_leaves_every_internal_part_out(slack, db):
    seed.october_activity(db, seed.acme(db))
    slack.command("/sam", f"report client {seed.OCTOBER}")
    preview = slack.ephemeral(DANA, "Post to channel")
    assert_client_version(preview)
    assert_client_version(press_post(slack, preview, ACME_CHANNEL))


def test_a_channel_shared_with_the_client_only_ever_gets_the_client_version(slack, db):
    link_to_shared_channel(slack, db)
    # Asked for the internal report, in the shared channel: the client version all the same.
    slack.command("/sam", f"report {seed.OCTOBER}", channel=SHARED_CHANNEL)
    preview = slack.ephemeral(DANA, "Post to channel")
    assert_client_version(preview)
    assert_client_version(press_post(slack, preview, SHARED_CHANNEL))


def test_a_preview_made_before_the_channel_was_shared_posts_the_client_version(slack, db):
    seed.october_activity(db, seed.acme(db))
    slack.command("/sam", f"report {seed.OCTOBER}")
    preview = slack.ephemeral(DANA, "Post to channel")
    assert_internal(preview)
    share_channel(slack, db, ACME_CHANNEL)
    # "Post to channel" checks the channel again when pressed, not what the preview was.
    assert_client_version(press_post(slack, preview, ACME_CHANNEL))


def test_the_scheduled_report_in_a_shared_channel_is_the_client_version(slack, db):
    link_to_shared_channel(slack, db)
    with db.session() as session:
        globex = accounts.create(
            session,
            workspace_id=1,
            data={"name": "Globex", "owner_id": DANA, "channel_id": GENERAL},
        )
    seed.october_activity(db, globex.id)
    summary = run_monthly_report(slack, db)
    assert summary.posted == ["Acme (<#CSHARED>)", "Globex (<#CGENERAL>)"]
    [shared] = monthly_posts(slack, SHARED_CHANNEL)
    assert_client_version(shared)
    [internal] = monthly_posts(slack, GENERAL)
    assert_internal(internal)


def test_a_channel_detected_as_shared_by_the_event_gets_the_client_version(slack, db):
    seed.october_activity(db, seed.acme(db))
    share_channel(slack, db, ACME_CHANNEL)
    slack.command("/sam", f"report {seed.OCTOBER}")
    assert_client_version(slack.ephemeral(DANA, "Post to channel"))
    assert run_monthly_report(slack, db).posted == ["Acme (<#CACME>)"]
    [posted] = monthly_posts(slack, ACME_CHANNEL)
    assert_client_version(posted)


def test_report_wants_a_month_and_a_linked_channel(slack, db):
    seed.acme(db)
    slack.command("/sam", "report october")
    slack.ephemeral(DANA, "Give the month as YYYY-MM")
    slack.command("/sam", "report", channel=GENERAL)
    slack.ephemeral(DANA, "not linked")


def test_the_running_month_counts_what_was_logged_today(slack, db):
    seed.acme(db)
    slack.command("/action", "Shared today by in 3 days")
    slack.channel_message(ACME_CHANNEL, "Shared today")
    with db.session() as session:
        session.execute(update(Action).values(shared_with_client=True))
    month = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    slack.command("/sam", f"report client {month}")
    preview = json.dumps(slack.ephemeral(DANA, "Post to channel")["blocks"])
    assert "Shared today" in preview
