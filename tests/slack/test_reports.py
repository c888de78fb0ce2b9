"""/sam report: a private preview, the client version, and "Post to channel"."""

import json

from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL


def test_report_preview_then_post(slack, db):
    seed.acme(db)
    slack.command("/action", "Secret plan by tomorrow")
    slack.channel_message(ACME_CHANNEL, "Secret plan")
    slack.command("/sam", "report 2026-10")
    preview = slack.ephemeral(DANA, "Post to channel")
    assert "Preview: only you can see this." in json.dumps(preview["blocks"])
    before = len(slack.standin.messages(ACME_CHANNEL))
    slack.requests.block_action(
        DANA, "report_post_to_channel", message=preview, channel_id=ACME_CHANNEL
    )
    slack.ephemeral(DANA, "Report for 2026-10 posted in <#CACME>")
    posted = slack.standin.messages(ACME_CHANNEL)
    assert len(posted) == before + 1
    assert "Post to channel" not in json.dumps(posted[-1]["blocks"])


def test_client_report_leaves_internal_fields_out(slack, db):
    seed.acme(db)
    slack.command("/sam", "report client")
    preview = json.dumps(slack.ephemeral(DANA, "Post to channel")["blocks"]).lower()
    for internal in ("obstacle", "sentiment", "coverage"):
        assert internal not in preview


def test_report_wants_a_month_and_a_linked_channel(slack, db):
    seed.acme(db)
    slack.command("/sam", "report october")
    slack.ephemeral(DANA, "Give the month as YYYY-MM")
    slack.command("/sam", "report", channel=GENERAL)
    slack.ephemeral(DANA, "not linked")


def test_the_running_month_counts_what_was_logged_today(slack, db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    seed.acme(db)
    slack.command("/action", "Shared today by in 3 days")
    slack.channel_message(ACME_CHANNEL, "Shared today")
    from sqlalchemy import update

    from sambot.actions.models import Action

    with db.session() as session:
        session.execute(update(Action).values(shared_with_client=True))
    month = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    slack.command("/sam", f"report client {month}")
    preview = json.dumps(slack.ephemeral(DANA, "Post to channel")["blocks"])
    assert "Shared today" in preview
