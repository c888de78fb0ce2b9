"""A form whose trigger has expired: the user is told to run the command again, plainly."""

import time

import pytest

from sambot.slack import context
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA

WINDOW_CLOSED = "window to open that form closed"


def test_a_trigger_certainly_expired_is_not_used_and_the_user_is_told(slack, db):
    seed.acme(db)
    # Slack sent this 5 s ago (it waited in a queue): its trigger lived 3 s.
    assert slack.command("/touchpoint", timestamp_offset=-5).status_code == 200
    answer = slack.ephemeral(DANA, WINDOW_CLOSED)
    assert "run the command again" in answer["text"]
    assert slack.standin.calls("views.open") == [], "an expired trigger is never spent"


def test_a_trigger_that_waited_in_sambot_past_its_life_is_not_used(slack, db, monkeypatch):
    """Under a burst a command waits behind other work after its ack: its trigger ages while
    it waits, whatever Slack's timestamp (whole seconds) can tell."""
    seed.acme(db)
    # The listener reads the clock 3.5 s after the request reached sambot; Slack's timestamp
    # (a second ahead, as a clock skew may make it) alone would put its age under 3 s.
    monkeypatch.setattr(context, "wall_clock", lambda: time.time() + 3.5)
    assert slack.command("/touchpoint", timestamp_offset=1).status_code == 200
    answer = slack.ephemeral(DANA, WINDOW_CLOSED)
    assert "run the command again" in answer["text"]
    assert slack.standin.calls("views.open") == [], "an expired trigger is never spent"


def test_a_trigger_that_waited_under_its_life_is_used(slack, db, monkeypatch):
    seed.acme(db)
    monkeypatch.setattr(context, "wall_clock", lambda: time.time() + 2.5)
    slack.command("/touchpoint", timestamp_offset=1)
    assert slack.opened_view("touchpoint")["callback_id"] == "touchpoint"


def test_a_fresh_trigger_opens_the_form(slack, db):
    seed.acme(db)
    slack.command("/touchpoint", timestamp_offset=-2)
    assert slack.opened_view("touchpoint")["callback_id"] == "touchpoint"


@pytest.mark.parametrize(
    ("command", "text"), [("/touchpoint", ""), ("/action", ""), ("/sam", "account new")]
)
def test_slack_refusing_an_expired_trigger_is_answered_too(slack, db, monkeypatch, command, text):
    seed.acme(db)
    monkeypatch.setattr(slack.standin, "trigger_ttl", 0)  # Slack's side says it expired
    slack.command(command, text)
    slack.ephemeral(DANA, WINDOW_CLOSED)
    assert [c.response.get("error") for c in slack.standin.calls("views.open")] == [
        "expired_trigger_id"
    ]


def test_an_expired_trigger_from_a_button_is_answered_in_the_channel(slack, db):
    seed.acme(db)
    slack.command("/action", "Send proposal by in 3 days")
    message = slack.channel_message(ACME_CHANNEL, "Send proposal")
    value = next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_reassign"
    )
    slack.requests.block_action(
        DANA,
        "action_reassign",
        value=value,
        message=message,
        channel_id=ACME_CHANNEL,
        timestamp_offset=-6,
    )
    slack.ephemeral(DANA, WINDOW_CLOSED)
    assert slack.standin.calls("views.open") == []
