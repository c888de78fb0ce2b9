"""`sambot run` with SLACK_APP_TOKEN, end to end: a real process connects through
`apps.connections.open` to the stand-in's websocket, and every request arrives as an
envelope that the process must acknowledge on the same connection."""

import json
import time

from sqlalchemy import select

from sambot.actions.models import Action
from sambot.localslack.requests import values_for
from sambot.touchpoints.models import Touchpoint
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, LEE, open_workspace
from tests.socketmode.conftest import START_TIMEOUT, launch

SKIPPED = "skipped a malformed message"


def eventually(read, timeout: float = 5.0):
    """`read()` once it is truthy (listeners run after the ack, in the other process)."""
    deadline = time.monotonic() + timeout
    while not (value := read()):
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.05)
    return value


def opened_view(slack, callback_id: str) -> dict:
    call = slack.standin.wait_for(
        "views.open", lambda c: c.ok and c.response["view"]["callback_id"] == callback_id
    )
    view_id = call.response["view"]["id"]
    return next(v for v in reversed(slack.standin.views()) if v["id"] == view_id)


def test_connects_with_the_app_token_through_the_configured_api_url(slack):
    opened = slack.standin.calls("apps.connections.open")
    assert [call.ok for call in opened] == [True]
    assert opened[0].response["url"].startswith(slack.socket_mode.url)
    assert len(slack.socket_mode.connections()) == 1
    # Bolt's own start-up call went to the stand-in too, with the bot token.
    assert slack.standin.calls("auth.test")[0].ok
    assert SKIPPED not in slack.process.stderr(), "hello is not a malformed message"


def test_a_refused_app_token_ends_the_process_with_one_line(db, standin, tmp_path):
    process = launch(db, standin, tmp_path, SLACK_APP_TOKEN="xapp-1-A0001-1-revoked")
    assert process.popen.wait(timeout=START_TIMEOUT) != 0
    stderr = process.stderr()
    assert stderr.splitlines()[-1] == (
        "sambot: Socket Mode: apps.connections.open answered 'invalid_auth': check SLACK_APP_TOKEN"
    )
    assert "Traceback" not in stderr
    assert standin.socket_mode.connections() == []


def test_a_command_is_acknowledged_then_answered(slack):
    ack = slack.command("/sam", "help")
    assert set(ack) == {"envelope_id"}
    slack.ephemeral(DANA, "/touchpoint call")


def test_a_modal_opens_and_its_submission_is_saved(slack, db):
    seed.acme(db)
    ack = slack.command("/touchpoint")
    assert set(ack) == {"envelope_id"}
    view = opened_view(slack, "touchpoint")

    # Errors travel back in the ack's payload, which keeps the modal open.
    answers = {"kind": "qbr", "sentiment": "positive", "summary": "x" * 3001}
    ack = slack.requests.view_submission(view, values_for(view, answers), DANA)
    assert ack["payload"] == {
        "response_action": "errors",
        "errors": {"summary": "Must be at most 3000 characters."},
    }

    answers["summary"] = "QBR went well"
    ack = slack.requests.view_submission(view, values_for(view, answers), DANA)
    assert set(ack) == {"envelope_id"}, "an empty ack closes the modal"
    slack.message(ACME_CHANNEL, "QBR went well")
    with db.session() as session:
        touchpoint = eventually(lambda: session.scalar(select(Touchpoint)))
        assert (touchpoint.summary, touchpoint.kind.value) == ("QBR went well", "qbr")


def test_a_button_changes_the_action(slack, db):
    seed.acme(db)
    open_workspace(db)  # Lee is not on Acme's team
    slack.command("/action", "Send proposal by in 3 days")
    message = slack.message(ACME_CHANNEL, "Send proposal")
    button = next(
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == "action_done"
    )
    ack = slack.requests.block_action(
        LEE, "action_done", value=button["value"], message=message, channel_id=ACME_CHANNEL
    )
    assert set(ack) == {"envelope_id"}
    slack.standin.wait_for(
        "chat.update",
        lambda c: c.args["ts"] == message["ts"] and "Marked done by <@ULEE>" in json.dumps(c.args),
    )

    def done():
        with db.session() as session:
            action = session.scalar(select(Action))
            return action.status.value == "done" and action.last_changed_by == LEE

    eventually(done)


# What Slack never sends, and why the process skips it.
MALFORMED = [
    ("not json", "not JSON"),
    ("{oops", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    (json.dumps({"type": "whatever", "envelope_id": "E1", "payload": {}}), "unknown type"),
    (json.dumps({"type": "slash_commands", "payload": {"command": "/sam"}}), "no envelope_id"),
    (json.dumps({"type": "interactive", "envelope_id": "E2", "payload": [1]}), "not an object"),
    (
        # Well-formed envelope, but a payload Bolt would index into and fail on.
        json.dumps(
            {"type": "interactive", "envelope_id": "E3", "payload": {"type": "block_actions"}}
        ),
        "interactive payload: block_actions.user",
    ),
    (
        json.dumps(
            {
                "type": "slash_commands",
                "envelope_id": "E4",
                "payload": {"command": "/sam", "text": "help"},
            }
        ),
        "slash_commands payload: team_id",
    ),
]


def test_malformed_frames_are_logged_once_and_skipped_on_the_same_connection(slack):
    for count, (frame, reason) in enumerate(MALFORMED, start=1):
        slack.socket_mode.send_raw(frame)
        line = slack.process.wait_for_log(SKIPPED, count)
        assert reason in line and repr(frame) in line, line
    # A binary frame: slack-sdk itself logs one warning and goes on.
    slack.socket_mode.send_raw(b"\x00\xffbinary")
    slack.process.wait_for_log("unsupported data frame")

    ack = slack.command("/sam", "help")
    assert set(ack) == {"envelope_id"}
    slack.ephemeral(DANA, "/touchpoint call")

    # Same connection throughout: no reconnect, no second apps.connections.open.
    assert [c.is_open for c in slack.socket_mode.connections()] == [True]
    assert len(slack.standin.calls("apps.connections.open")) == 1
    # Nothing malformed was acknowledged; the command was.
    assert [a["envelope_id"] for a in slack.socket_mode.acks()] == [ack["envelope_id"]]
    stderr = slack.process.stderr()
    assert "Traceback" not in stderr
    assert stderr.count(SKIPPED) == len(MALFORMED), "one line per skipped frame"
    skipped_lines = [line for line in stderr.splitlines() if SKIPPED in line]
    assert all(len(line) < 400 for line in skipped_lines), "the line shows a short excerpt"


def test_a_disconnect_request_moves_to_a_new_connection(slack):
    slack.socket_mode.disconnect("refresh_requested")
    eventually(lambda: len(slack.standin.calls("apps.connections.open")) == 2, timeout=10)
    eventually(lambda: [c.is_open for c in slack.socket_mode.connections()] == [False, True])
    ack = slack.command("/sam", "help")
    assert set(ack) == {"envelope_id"}
    slack.ephemeral(DANA, "/touchpoint call")


def test_metrics_on_their_port_and_one_json_line_per_envelope(db, standin, tmp_path):
    import socket

    import httpx

    from sambot.localslack.requests import SocketModeRequests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = launch(db, standin, tmp_path, SAMBOT_METRICS_PORT=str(port), SAMBOT_LOG_FORMAT="json")
    try:
        eventually(standin.socket_mode.open_connections, START_TIMEOUT)
        with SocketModeRequests(standin) as requests:
            requests.command("/sam", "help", user_id=DANA, channel_id=ACME_CHANNEL)
        eventually(lambda: standin.ephemerals(DANA))
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert 'sambot_interactions_total{kind="command",outcome="answered"} 1.0' in metrics
        assert 'sambot_ack_seconds_count{kind="command"} 1.0' in metrics
        line = eventually(
            lambda: next(
                (
                    json.loads(line)
                    for line in process.stderr().splitlines()
                    if line.startswith("{") and '"kind": "command"' in line
                ),
                None,
            )
        )
        assert line["team"] == "T0001" and line["outcome"] == "answered" and line["request_id"]
        assert standin.bot_token not in process.stderr()
    finally:
        process.popen.terminate()
        process.popen.wait(timeout=10)
