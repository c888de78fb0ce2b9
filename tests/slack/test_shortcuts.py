"""Message shortcuts: any message becomes a touchpoint or an action."""

from sqlalchemy import select

from sambot.actions.models import Action
from sambot.localslack.requests import values_for
from sambot.touchpoints.models import Touchpoint
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA

MESSAGE = {
    "type": "message",
    "user": "ULEE",
    "ts": "1764000000.000100",
    "text": "Client says budget is approved for Q1\nSecond line",
}


def test_log_as_touchpoint_prefills_and_keeps_the_link(slack, db):
    seed.acme(db)
    slack.requests.message_shortcut("log_as_touchpoint", MESSAGE, ACME_CHANNEL, DANA)
    view = slack.opened_view("touchpoint")
    summary = next(b for b in view["blocks"] if b.get("block_id") == "summary")
    assert summary["element"]["initial_value"] == MESSAGE["text"]
    answer = slack.requests.view_submission(view, values_for(view, {"kind": "email"}), DANA)
    assert not answer.content
    slack.channel_message(ACME_CHANNEL, "budget is approved")
    with db.session() as session:
        touchpoint = session.scalar(select(Touchpoint))
        assert touchpoint.source.value == "message_shortcut"
        assert touchpoint.message_link.endswith(f"/archives/{ACME_CHANNEL}/p1764000000000100")


def test_create_action_prefills_the_title(slack, db):
    seed.acme(db)
    slack.requests.message_shortcut("create_action", MESSAGE, ACME_CHANNEL, DANA)
    view = slack.opened_view("action")
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert title["element"]["initial_value"] == "Client says budget is approved for Q1"
    slack.requests.view_submission(view, values_for(view, {}), DANA)
    slack.channel_message(ACME_CHANNEL, "Client says budget")
    with db.session() as session:
        assert session.scalar(select(Action.title)) == "Client says budget is approved for Q1"
