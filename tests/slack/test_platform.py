"""What Slack's platform asks: signatures, 429s retried, errors reported with a code."""

import logging

from sqlalchemy import select

from sambot.actions.models import Action
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA


def test_forged_stale_and_unsigned_requests_get_401(slack):
    assert slack.command("/sam", "help", signature="forged").status_code == 401
    assert slack.command("/sam", "help", timestamp_offset=-400).status_code == 401
    assert slack.command("/sam", "help", signature="none").status_code == 401
    assert slack.command("/sam", "help").status_code == 200


def test_health(slack):
    import httpx

    assert httpx.get(slack.url.replace("/slack/events", "/healthz")).json() == {"ok": True}


def test_a_429_on_views_open_is_retried(slack, db):
    seed.acme(db)
    slack.standin.rate_limit("views.open", retry_after=1)
    slack.command("/touchpoint")
    view = slack.opened_view("touchpoint")
    assert view["callback_id"] == "touchpoint"
    statuses = [call.status for call in slack.standin.calls("views.open")]
    assert statuses == [429, 200]


def test_a_429_on_post_message_is_retried(slack, db):
    seed.acme(db)
    slack.standin.rate_limit("chat.postMessage", retry_after=1)
    slack.command("/action", "Retry me by tomorrow")
    slack.channel_message(ACME_CHANNEL, "Retry me", timeout=8)
    assert [c.status for c in slack.standin.calls("chat.postMessage")] == [429, 200]


def test_an_unexpected_error_answers_with_a_reference_code(slack, db, caplog, monkeypatch):
    seed.acme(db)
    from sambot.actions import service as actions

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(actions, "list_open_for_owner", broken)
    with caplog.at_level(logging.ERROR, logger="sambot.slack"):
        slack.command("/action", "list")
        message = slack.ephemeral(DANA, "something went wrong")
    code = message["text"].split("`")[1]
    assert len(code) == 6
    assert any(code in record.getMessage() and record.exc_info for record in caplog.records)


def test_not_in_channel_joins_and_posts(slack, db):
    seed.acme(db)
    slack.standin.add_channel(ACME_CHANNEL, "acme", bot_is_member=False)
    slack.command("/action", "Join first by tomorrow")
    slack.channel_message(ACME_CHANNEL, "Join first")
    assert [c.ok for c in slack.standin.calls("conversations.join")] == [True]
    with db.session() as session:
        assert session.scalar(select(Action.channel_id)) == ACME_CHANNEL
