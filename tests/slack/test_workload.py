"""Acks first: commands, buttons and events are answered before their work, and shed when
too much work is waiting."""

import json

from sambot.slack.workload import BUSY
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA


def test_a_command_is_acked_before_its_work_runs(slack, db, monkeypatch):
    seed.acme(db)
    monkeypatch.setattr(slack.standin, "latency", 0.5)  # every Web API call is slow
    response = slack.command("/touchpoint")
    assert (response.status_code, response.content) == (200, b"")
    assert slack.in_flight.count >= 1, "the modal is still being opened after the ack"
    assert slack.opened_view("touchpoint")["callback_id"] == "touchpoint"


def test_when_work_piles_up_a_command_is_told_busy_in_its_ack(slack, db, monkeypatch):
    seed.acme(db)
    workload = slack.in_flight.workload
    monkeypatch.setattr(workload, "most_ahead", 0)
    response = slack.command("/touchpoint")
    assert response.status_code == 200
    assert response.json() == {"response_type": "ephemeral", "text": BUSY}
    assert "again" in BUSY
    slack.in_flight.settle()
    assert slack.standin.calls("views.open") == [], "shed work is not done"


def test_buttons_and_form_submissions_are_never_shed(slack, db, monkeypatch):
    seed.acme(db)
    slack.command("/action", "Send proposal by in 3 days")
    message = slack.channel_message(ACME_CHANNEL, "Send proposal")
    monkeypatch.setattr(slack.in_flight.workload, "most_ahead", 0)
    value = next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "action_done"
    )
    response = slack.requests.block_action(
        DANA, "action_done", value=value, message=message, channel_id=ACME_CHANNEL
    )
    assert (response.status_code, response.content) == (200, b"")
    call = slack.wait("chat.update")
    assert "Marked done" in json.dumps(call.args)


def test_a_command_runs_on_the_workload_thread_that_dispatched_it(slack, db):
    """An acknowledged command's listener runs where it was dispatched, not handed to Bolt's
    listener executor: one thread less wanting the GIL while the event loop answers acks,
    and a form's submission waiting there holds no command up."""
    import threading

    seed.acme(db)
    listeners = slack.in_flight.workload.app.listener_runner.listener_executor
    released = threading.Event()
    held = [listeners.submit(released.wait, 10) for _ in range(listeners._max_workers)]
    try:
        slack.command("/touchpoint")
        assert slack.opened_view("touchpoint")["callback_id"] == "touchpoint"
    finally:
        released.set()
        for future in held:
            future.result(timeout=10)


def test_past_the_limit_a_command_waits_for_room_instead_of_being_told_busy(slack, db, monkeypatch):
    import time

    seed.acme(db)
    slack.command("/touchpoint")  # what is read once (Dana's time zone) is read now
    slack.in_flight.settle()
    monkeypatch.setattr(slack.in_flight.workload, "most_ahead", 1)
    monkeypatch.setattr(slack.standin, "latency", 0.1)  # the modal takes 0.1 s to open
    first = slack.command("/touchpoint")
    started = time.monotonic()
    second = slack.command("/touchpoint")
    waited = time.monotonic() - started
    assert [first.content, second.content] == [b"", b""], "neither was told busy"
    assert waited >= 0.05, "the second waited at the door for the first to finish"
    slack.in_flight.settle()
    assert len(slack.standin.calls("views.open")) == 3
