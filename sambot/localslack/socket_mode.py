"""Slack's side of Socket Mode, for the stand-in: the websocket that `apps.connections.open`
points at, and requests sent through it as envelopes.

Slack sends `hello` on connect, then envelopes
`{"envelope_id", "type", "payload", "accepts_response_payload"}`; the app acknowledges each
with `{"envelope_id", "payload"?}`. Tests push envelopes, read the recorded acks, and can
send raw frames that are not envelopes at all.

Only tests use this module: `websockets` is a development dependency, imported here alone.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from sambot.localslack.ids import APP_ID

if TYPE_CHECKING:
    from websockets.http11 import Request, Response

    from sambot.localslack.server import SlackStandIn

# Envelope types Slack sends, and which interaction payloads take a response payload.
ENVELOPE_TYPES = ("events_api", "interactive", "slash_commands")
_RESPONDING_INTERACTIONS = ("view_submission", "block_suggestion")


@dataclass
class SocketConnection:
    """One websocket an app opened."""

    id: int
    ticket: str
    opened: float
    closed: float | None = None
    ws: ServerConnection | None = field(default=None, repr=False)

    @property
    def is_open(self) -> bool:
        return self.closed is None


class SocketModeServer:
    """The websocket side of Socket Mode on 127.0.0.1. Thread-safe.

    `SlackStandIn.socket_mode` makes and starts one; its `apps.connections.open` issues
    tickets with `ticket_url()`.
    """

    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self._lock = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[SocketConnection] = []
        self._acks: list[dict[str, Any]] = []
        self._server = serve(
            self._serve_connection,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="localslack-socket-mode", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/"

    def ticket_url(self) -> str:
        """A new websocket URL, as `apps.connections.open` returns it."""
        ticket = str(uuid.uuid4())
        with self._lock:
            self._tickets.add(ticket)
        return f"{self.url}?ticket={ticket}&app_id={APP_ID}"

    # -- what tests do ---------------------------------------------------------------------

    def connections(self) -> list[SocketConnection]:
        """Every websocket opened so far (open or closed), oldest first."""
        with self._lock:
            return list(self._connections)

    def open_connections(self) -> list[SocketConnection]:
        return [c for c in self.connections() if c.is_open]

    def wait_for_open(self, count: int = 1, timeout: float = 5.0) -> list[SocketConnection]:
        """Wait until exactly `count` connections are open; those, oldest first."""
        self._wait(lambda: len(self.open_connections()) == count, timeout, f"{count} open")
        return self.open_connections()

    def push(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope on the newest open connection; returns its envelope_id."""
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"Slack sends no {type!r} envelopes (use send_raw)")
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in _RESPONDING_INTERACTIONS
            )
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason
        self.send_raw(json.dumps(envelope))
        return envelope_id

    def send_raw(self, frame: str | bytes) -> None:
        """Send any frame as is on the newest open connection (text for str, binary for
        bytes): how tests send what Slack should never send."""
        connections = self.open_connections()
        if not connections:
            raise RuntimeError("no open Socket Mode connection")
        assert connections[-1].ws is not None
        connections[-1].ws.send(frame)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does before it refreshes a connection."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "localslack"}}
        self.send_raw(json.dumps(message))

    def acks(self) -> list[dict[str, Any]]:
        """What the app sent back, oldest first: `{"envelope_id", "payload"?}`; a frame that
        is not a JSON object is recorded as `{"raw": frame}`."""
        with self._lock:
            return list(self._acks)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((a for a in self.acks() if a.get("envelope_id") == envelope_id), None)

        self._wait(lambda: found() is not None, timeout, f"an ack of {envelope_id}")
        ack = found()
        assert ack is not None
        return ack

    # -- serving -----------------------------------------------------------------------------

    def _check_ticket(self, ws: ServerConnection, request: Request) -> Response | None:
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0]
        with self._lock:
            known = ticket in self._tickets
        if not known:
            return ws.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
        return None

    def _serve_connection(self, ws: ServerConnection) -> None:
        ticket = parse_qs(urlsplit(ws.request.path).query)["ticket"][0]  # type: ignore[union-attr]
        with self._lock:
            connection = SocketConnection(len(self._connections) + 1, ticket, time.time(), ws=ws)
            self._connections.append(connection)
            self._lock.notify_all()
        try:
            ws.send(json.dumps(self._hello()))
            for frame in ws:
                self._record_ack(frame)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                connection.closed = time.time()
                self._lock.notify_all()

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self.open_connections()),
            "debug_info": {
                "host": "localslack",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": APP_ID},
        }

    def _record_ack(self, frame: str | bytes) -> None:
        try:
            ack = json.loads(frame)
        except ValueError:
            ack = None
        with self._lock:
            self._acks.append(ack if isinstance(ack, dict) else {"raw": frame})
            self._lock.notify_all()

    def _wait(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no {what} in {timeout}s")
                self._lock.wait(remaining)
