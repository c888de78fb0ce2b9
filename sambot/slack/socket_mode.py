"""Serving the Bolt app over Socket Mode, with slack-sdk's builtin websocket client.

The app's own Web API client asks for the websocket URL, so `apps.connections.open` goes to
SLACK_API_URL like every other call. A frame that is not a message Slack sends, or an
envelope whose payload fails the checks HTTP requests pass (`sambot.slack.envelopes`), is
logged on one line and skipped, and the connection stays up: left to slack-sdk and Bolt,
some would be dropped without a word and others logged with tracebacks.
"""

import json
import logging
import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from sambot.ops import logs
from sambot.ops.metrics import ACK_SECONDS, INTERACTIONS
from sambot.slack import envelopes

logger = logging.getLogger(__name__)

ENVELOPE_TYPES = ("events_api", "interactive", "slash_commands")
# Messages about the connection itself, which carry no envelope.
CONNECTION_TYPES = ("hello", "disconnect")
# How much of a skipped frame the log line shows.
SHOWN_CHARACTERS = 200


def why_malformed(frame: str) -> str | None:
    """Why a text frame is not a message Slack sends over Socket Mode; None when it is."""
    try:
        message = json.loads(frame)
    except ValueError:
        return "not JSON"
    if not isinstance(message, dict):
        return "not a JSON object"
    kind = message.get("type")
    if kind in CONNECTION_TYPES:
        return None
    if kind not in ENVELOPE_TYPES:
        return f"unknown type {kind!r}"
    if not isinstance(message.get("envelope_id"), str) or not message["envelope_id"]:
        return "no envelope_id"
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return "payload is not an object"
    try:
        envelopes.check(kind, payload)
    except envelopes.Malformed as exc:
        return f"{kind} payload: {exc}"
    return None


class CheckingSocketModeClient(SocketModeClient):
    """The builtin client, skipping malformed frames before they are queued."""

    def enqueue_message(self, message: str) -> None:
        problem = why_malformed(message)
        if problem is not None:
            shown = message[:SHOWN_CHARACTERS]
            logger.warning("Socket Mode: skipped a malformed message (%s): %r", problem, shown)
            return
        super().enqueue_message(message)


class SocketModeHandler(BaseSocketModeHandler):
    """Bolt's builtin Socket Mode handler, on the checking client."""

    def __init__(self, app: App, app_token: str, **client_options) -> None:
        self.app = app
        self.app_token = app_token
        self.client = CheckingSocketModeClient(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            proxy=app.client.proxy,
            **client_options,
        )
        self.client.socket_mode_request_listeners.append(self.handle)

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        start = time.time()
        payload = req.payload if isinstance(req.payload, dict) else {}
        kind = envelopes.kind_of(payload) or req.type
        logs.request_id.set(req.envelope_id[:12])
        logs.team.set(payload.get("team_id") or (payload.get("team") or {}).get("id"))
        response = run_bolt_app(self.app, req)
        send_response(client, req, response, start)
        elapsed = time.time() - start
        outcome = "answered" if response.status < 400 else f"http_{response.status}"
        ACK_SECONDS.labels(kind).observe(elapsed)
        INTERACTIONS.labels(kind, outcome).inc()
        logger.info(
            "%s %s",
            kind,
            outcome,
            extra={"kind": kind, "outcome": outcome, "duration_ms": round(elapsed * 1000, 1)},
        )


def serve_socket_mode(app: App, app_token: str, **client_options) -> None:
    """Connect and serve until the process ends (reconnecting when Slack asks).

    A refused app token ends the process with one line instead of a traceback.
    """
    try:
        SocketModeHandler(app, app_token, **client_options).start()
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise SystemExit(
            f"sambot: Socket Mode: apps.connections.open answered {error!r}: check SLACK_APP_TOKEN"
        ) from None
