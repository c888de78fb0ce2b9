"""Relationships end to end: `/sam map` and `/sam map org` uploaded through files_upload_v2,
coverage in `/sam account`, `/sam accounts` and the Home tab, the stakeholder form's
cadence, the cadence reminder's buttons, and actions to review after a touchpoint."""

import json
import struct
from datetime import timedelta

from sqlalchemy import select

from sambot.accounts.models import Account, TeamMember, TeamRole
from sambot.actions.models import Action
from sambot.db import utcnow
from sambot.jobs.runner import JobOptions, run_job
from sambot.localslack.requests import values_for
from sambot.slack.client import build_web_client
from sambot.stakeholders.models import Stakeholder
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE


def wait_upload(slack, count: int = 1) -> list[dict]:
    slack.wait("files.completeUploadExternal", timeout=20)
    uploads = slack.standin.uploads()
    assert len(uploads) == count
    return uploads


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_sam_map_uploads_the_grid_with_its_text(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        account = session.get(Account, account_id)
        session.add_all(
            [
                Stakeholder(
                    workspace_id=account.workspace_id,
                    account_id=account_id,
                    name="Irene Informed",
                    power=2,
                    interest=5,
                    relationship_owner_id=LEE,
                ),
                Stakeholder(
                    workspace_id=account.workspace_id,
                    account_id=account_id,
                    name="Mo Monitor",
                    power=1,
                    interest=1,
                    attitude=-2,
                ),
            ]
        )
    slack.command("/sam", "map")
    [upload] = wait_upload(slack)
    assert upload["channel"] == ACME_CHANNEL and upload["filename"] == "acme-stakeholder-map.png"
    assert png_size(upload["content"]) == (1300, 1000)
    text = upload["initial_comment"]
    # Quadrant by quadrant, each stakeholder under theirs.
    order = [text.index(name) for name in ("Keep satisfied", "Walter Boss", "Keep informed")]
    assert order == sorted(order)
    assert text.index("Irene Informed") > text.index("Keep informed")
    assert text.index("Mo Monitor") > text.index("*Monitor*")
    assert "owner <@ULEE>" in text and "blocker" in text
    assert "Key stakeholders with no relationship owner:* Walter Boss" in text
    methods = [call.method for call in slack.standin.calls() if call.method.startswith("files.")]
    assert methods == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_sam_map_org_draws_reports_to(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        walter = session.scalar(select(Stakeholder))
        walter.relationship_owner_id = DANA
        session.add(
            Stakeholder(
                workspace_id=walter.workspace_id,
                account_id=account_id,
                name="Rita Report",
                title="Buyer",
                reports_to_id=walter.id,
                attitude=2,
            )
        )
    slack.command("/sam", "map org")
    [upload] = wait_upload(slack)
    assert upload["filename"] == "acme-org-chart.png"
    assert png_size(upload["content"])[0] >= 800
    text = upload["initial_comment"]
    assert "• *Walter Boss* · neutral · owner <@UDANA>" in text
    assert "◦ *Rita Report*, Buyer · champion · no owner" in text


def test_sam_map_needs_a_linked_channel_and_knows_its_words(slack, db):
    seed.acme(db)
    slack.command("/sam", "map", channel=GENERAL)
    slack.ephemeral(DANA, "/sam link")
    slack.command("/sam", "map people")
    slack.ephemeral(DANA, "`/sam map org` the org chart")
    assert slack.standin.uploads() == []


def test_coverage_in_the_account_summary_the_list_and_home(slack, db):
    seed.acme(db)
    slack.command("/sam", "account")
    summary = slack.ephemeral(DANA, "Coverage")
    text = json.dumps(summary["blocks"])
    assert ":red_circle: red" in text
    assert "no executive sponsor on the account team: add one with `/sam team`" in text
    assert "no champion mapped: add one with `/sam stakeholder new`" in text
    assert "key stakeholders with no relationship owner: Walter Boss" in text
    slack.command("/sam", "accounts")
    listed = slack.ephemeral(DANA, "*Accounts* (1)")
    assert "coverage :red_circle: red: no executive sponsor" in json.dumps(listed["blocks"])
    event = {"type": "app_home_opened", "user": DANA, "channel": "DUDANA", "tab": "home"}
    assert slack.requests.event(event, event_id="Ev1").status_code == 200
    home = slack.wait("views.publish")
    assert "coverage :red_circle: red" in json.dumps(home.args)


def test_stakeholder_form_sets_its_own_cadence(slack, db):
    seed.acme(db)
    slack.command("/sam", "stakeholder new")
    view = slack.opened_view("stakeholder_new")
    answers = {"name": "Cora Cadence", "role": "influencer", "power": "3", "influence": "3"}
    answers |= {"interest": "3", "attitude": "0"}
    bad = slack.requests.view_submission(
        view, values_for(view, {**answers, "cadence_days": "0"}), DANA
    )
    assert bad.json() == {
        "response_action": "errors",
        "errors": {"cadence_days": "Must be at least 1."},
    }
    good = slack.requests.view_submission(
        view, values_for(view, {**answers, "cadence_days": "14"}), DANA
    )
    assert good.status_code == 200 and not good.content
    slack.ephemeral(DANA, "Cora Cadence")
    with db.session() as session:
        cora = session.scalar(select(Stakeholder).where(Stakeholder.name == "Cora Cadence"))
        assert cora.cadence_days == 14


def cadence_reminder(slack, db) -> dict:
    """Walter Boss, key and never met, owned by nobody: the account owner's reminder."""
    seed.acme(db)
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    [summary] = run_job("cadence", db, client, at=utcnow(), options=JobOptions(post_rate=0))
    assert summary.posted == [f"<@{DANA}> (direct message)"]
    [message] = slack.standin.messages(DANA)
    return message


def test_log_touchpoint_from_the_reminder_opens_the_form_prefilled(slack, db):
    message = cadence_reminder(slack, db)
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "cadence_log_touchpoint"
    )
    response = slack.requests.block_action(
        DANA, "cadence_log_touchpoint", value=button["value"], message=message, channel_id="DUDANA"
    )
    assert response.status_code == 200
    view = slack.opened_view("touchpoint")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["account_id"]["element"]["initial_option"]["text"]["text"] == "Acme"
    chosen = blocks["stakeholder_ids"]["element"]["initial_options"]
    assert [option["text"]["text"] for option in chosen] == ["Walter Boss"]


def test_snooze_from_the_reminder(slack, db):
    message = cadence_reminder(slack, db)
    response = slack.requests.block_action(
        DANA, "cadence_snooze", message=message, channel_id="DUDANA"
    )
    assert response.status_code == 200
    update = slack.wait("chat.update")
    assert "snoozed until" in json.dumps(update.args)
    blocks = update.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert not [b for b in blocks if b["type"] == "actions"], "the snoozed one keeps no buttons"
    with db.session() as session:
        walter = session.scalar(select(Stakeholder))
        assert walter.cadence_snoozed_until is not None
    # The next week's run leaves Walter out.
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    later = utcnow() + timedelta(days=7)
    [summary] = run_job("cadence", db, client, at=later, options=JobOptions(post_rate=0))
    assert summary.posted == []


def test_a_touchpoint_lists_the_open_actions_to_review(slack, db):
    account_id = seed.acme(db)
    with db.session() as session:
        account = session.get(Account, account_id)
        session.add(
            TeamMember(
                workspace_id=account.workspace_id,
                account_id=account_id,
                user_id=LEE,
                role=TeamRole.EXECUTIVE_SPONSOR,
            )
        )
        for title in ("Send Walter Boss the pricing", "Unrelated chore"):
            session.add(
                Action(
                    workspace_id=account.workspace_id,
                    account_id=account_id,
                    title=title,
                    owner_id=LEE,
                    created_by=DANA,
                )
            )
    slack.command("/touchpoint")
    view = slack.opened_view("touchpoint")
    people = next(b for b in view["blocks"] if b["block_id"] == "stakeholder_ids")
    walter = people["element"]["options"][0]["value"]
    response = slack.requests.view_submission(
        view,
        values_for(view, {"kind": "call", "summary": "Pricing call", "stakeholder_ids": [walter]}),
        DANA,
    )
    assert response.status_code == 200
    review = slack.ephemeral(DANA, "Still relevant?")
    text = json.dumps(review["blocks"])
    assert "Send Walter Boss the pricing" in text and "Unrelated chore" not in text
    assert "Mark done" in text


def test_a_touchpoint_with_no_related_action_adds_nothing(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", "call Talked about the weather")
    slack.ephemeral(DANA, "logged")
    assert not [
        e
        for e in slack.standin.ephemerals(DANA)
        if "Still relevant?" in e.get("text", "") + json.dumps(e.get("blocks"))
    ]
