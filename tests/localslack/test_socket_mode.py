"""The stand-in's Socket Mode: `apps.connections.open` and the websocket it points at,
driven by slack_sdk's WebClient and a plain websocket client."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from sambot.localslack import SlackStandIn
from sambot.localslack.requests import SocketModeRequests

from .conftest import TOKEN


def open_url(standin: SlackStandIn) -> str:
    client = WebClient(base_url=standin.base_url)
    return client.apps_connections_open(app_token=standin.app_token)["url"]


@contextmanager
def connected(standin: SlackStandIn) -> Iterator[ClientConnection]:
    with connect(open_url(standin), open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        yield ws


def test_connections_open_returns_a_websocket_url(standin: SlackStandIn) -> None:
    url = open_url(standin)
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname) == ("ws", "127.0.0.1")
    assert parse_qs(parts.query)["ticket"][0]
    assert [call.ok for call in standin.calls("apps.connections.open")] == [True]


def test_connections_open_takes_the_app_token_only(standin: SlackStandIn) -> None:
    def error(token: str | None) -> str:
        with pytest.raises(SlackApiError) as raised:
            WebClient(token=token, base_url=standin.base_url).api_call("apps.connections.open")
        return raised.value.response["error"]

    assert error(TOKEN) == "not_allowed_token_type"
    assert error("xapp-1-A0001-1-wrong") == "invalid_auth"
    assert error(None) == "not_authed"
    # And the app-level token opens connections, nothing else.
    with pytest.raises(SlackApiError) as raised:
        WebClient(token=standin.app_token, base_url=standin.base_url).auth_test()
    assert raised.value.response["error"] == "not_allowed_token_type"


def test_hello_first(standin: SlackStandIn) -> None:
    with connect(open_url(standin), open_timeout=5) as ws:
        hello = json.loads(ws.recv(timeout=5))
    assert hello["type"] == "hello"
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": "A0001"}
    assert set(hello["debug_info"]) == {"host", "build_number", "approximate_connection_time"}


def test_an_unknown_ticket_is_refused(standin: SlackStandIn) -> None:
    with pytest.raises(InvalidStatus) as raised:
        connect(f"{standin.socket_mode.url}?ticket=made-up", open_timeout=5)
    assert raised.value.response.status_code == 401
    assert standin.socket_mode.connections() == []


@pytest.mark.parametrize(
    ("kind", "payload", "accepts"),
    [
        ("slash_commands", {"command": "/sam"}, True),
        ("interactive", {"type": "view_submission"}, True),
        ("interactive", {"type": "block_suggestion"}, True),
        ("interactive", {"type": "block_actions"}, False),
        ("interactive", {"type": "shortcut"}, False),
        ("events_api", {"type": "event_callback"}, False),
    ],
)
def test_envelopes_are_shaped_as_slack_sends_them(
    standin: SlackStandIn, kind: str, payload: dict, accepts: bool
) -> None:
    with connected(standin) as ws:
        envelope_id = standin.socket_mode.push(kind, payload)
        envelope = json.loads(ws.recv(timeout=5))
    expected = {
        "envelope_id": envelope_id,
        "type": kind,
        "payload": payload,
        "accepts_response_payload": accepts,
    }
    if kind == "events_api":
        expected.update(retry_attempt=0, retry_reason="")
    assert envelope == expected


def test_only_slack_envelope_types_are_pushed(standin: SlackStandIn) -> None:
    with pytest.raises(ValueError, match="no 'hello' envelopes"):
        standin.socket_mode.push("hello", {})


def test_acks_are_recorded_raw_frames_go_as_they_are(standin: SlackStandIn) -> None:
    socket_mode = standin.socket_mode
    with connected(standin) as ws:
        envelope_id = socket_mode.push("slash_commands", {"command": "/sam"})
        assert json.loads(ws.recv(timeout=5))["envelope_id"] == envelope_id
        ws.send(json.dumps({"envelope_id": envelope_id, "payload": {"text": "hi"}}))
        assert socket_mode.wait_for_ack(envelope_id) == {
            "envelope_id": envelope_id,
            "payload": {"text": "hi"},
        }
        socket_mode.send_raw("{oops")
        assert ws.recv(timeout=5) == "{oops"
        socket_mode.send_raw(b"\x00\xff")
        assert ws.recv(timeout=5) == b"\x00\xff"
        ws.send("not an ack")
        socket_mode.disconnect("warning")
        assert json.loads(ws.recv(timeout=5)) == {
            "type": "disconnect",
            "reason": "warning",
            "debug_info": {"host": "localslack"},
        }
    with pytest.raises(TimeoutError):
        socket_mode.wait_for_ack("never-sent", timeout=0.1)
    assert socket_mode.acks()[-1] == {"raw": "not an ack"}


def test_connections_are_counted_and_the_newest_gets_envelopes(standin: SlackStandIn) -> None:
    socket_mode = standin.socket_mode
    with connected(standin) as first:
        with connected(standin) as second:
            socket_mode.wait_for_open(2)
            socket_mode.push("events_api", {"type": "event_callback"})
            assert json.loads(second.recv(timeout=5))["type"] == "events_api"
        assert [c.id for c in socket_mode.wait_for_open(1)] == [1]
        first.close()
    socket_mode.wait_for_open(0)
    assert [c.id for c in socket_mode.connections()] == [1, 2]
    with pytest.raises(RuntimeError, match="no open Socket Mode connection"):
        socket_mode.send_raw("{}")


def test_socket_mode_requests_send_the_same_payloads_as_http(standin: SlackStandIn) -> None:
    """Each request waits for the app's ack; here a thread plays the app."""
    with connected(standin) as ws, SocketModeRequests(standin) as requests:
        received = []

        def app() -> None:
            for _ in range(2):
                envelope = json.loads(ws.recv(timeout=5))
                received.append(envelope)
                ws.send(json.dumps({"envelope_id": envelope["envelope_id"]}))

        thread = threading.Thread(target=app)
        thread.start()
        ack = requests.command("/sam", "help", user_id="U1", channel_id="C1")
        requests.event({"type": "app_home_opened", "user": "U1"}, retry_num=2)
        thread.join()
    assert ack == {"envelope_id": received[0]["envelope_id"]}
    command = received[0]["payload"]
    assert (command["command"], command["text"], command["user_name"]) == ("/sam", "help", "alice")
    assert command["trigger_id"] and command["response_url"].startswith(standin.url)
    event = received[1]
    assert (event["type"], event["retry_attempt"]) == ("events_api", 2)
    assert event["payload"]["event"]["type"] == "app_home_opened"
