"""Logging: readable lines by default, or one JSON object per line (SAMBOT_LOG_FORMAT=json)
for a log collector. Each line carries what is known of the event it belongs to (request
id, team, command or job, duration), and never a token or the signing secret."""

import asyncio
import atexit
import contextvars
import json
import logging
import re
import sys
import threading
from collections import deque
from datetime import UTC, datetime

# Set by the web edge for a request, and by the runner for a job in a workspace.
request_id = contextvars.ContextVar("request_id", default=None)
team = contextvars.ContextVar("team", default=None)
command = contextvars.ContextVar("command", default=None)
job = contextvars.ContextVar("job", default=None)
CONTEXT = {"request_id": request_id, "team": team, "command": command, "job": job}
# Fields a call may pass in `extra=`.
_EXTRA = ("request_id", "team", "command", "job", "kind", "status", "duration_ms", "outcome")

# Slack tokens by their shape: bot, user, app-level, refresh, configuration.
TOKEN_SHAPE = re.compile(r"\b(xox[abeprs]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")


class Redact(logging.Filter):
    """Masks anything shaped like a Slack token, and the configured secrets, in every line."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def clean(self, text: str) -> str:
        text = TOKEN_SHAPE.sub(lambda m: m.group(1) + "-***", text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
        return True


class Handoff(logging.Handler):
    """Hands the event loop's records to a writer thread, with the request they belong to.

    A request's log line is emitted on the event loop, which answers every ack: writing it
    there (the redaction, the formatting, a write to stderr that a slow log collector can
    block) would make every ack wait for it. The loop only appends the record to a list; the
    writer thread writes the list every `every` seconds (waking it per line would cost a
    thread switch per request). Other threads write their own lines, in order with what
    they print.
    """

    def __init__(self, handler: logging.Handler, every: float = 0.1):
        super().__init__()
        self.handler = handler
        self.every = every
        self._pending: deque[logging.LogRecord] = deque()
        self._stopping = threading.Event()
        self._writer = threading.Thread(target=self._write_every, name="log-writer", daemon=True)
        self._writer.start()

    def handle(self, record: logging.LogRecord) -> bool:
        if asyncio._get_running_loop() is None:
            return bool(self.handler.handle(record))
        # The context variables are the loop's: read them now, not in the writer.
        for name, variable in CONTEXT.items():
            if not hasattr(record, name):
                value = variable.get()
                if value is not None:
                    setattr(record, name, value)
        # Arguments may change after the call: the message is the one of this moment.
        record.msg, record.args = record.getMessage(), None
        self._pending.append(record)
        return True

    def _write_every(self) -> None:
        while not self._stopping.wait(self.every):
            self.write_pending()
        self.write_pending()

    def write_pending(self) -> None:
        while True:
            try:
                record = self._pending.popleft()
            except IndexError:  # none left (or the other thread took the last)
                return
            self.handler.handle(record)

    def close(self) -> None:
        """Write what is pending, and stop the writer."""
        self._stopping.set()
        if self._writer.is_alive() and self._writer is not threading.current_thread():
            self._writer.join()
        super().close()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, variable in CONTEXT.items():
            value = variable.get()
            if value is not None:
                line[name] = value
        for name in _EXTRA:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(line, default=str)


_handoff: Handoff | None = None

# The loggers that slack-sdk checks with `logger.level <= logging.DEBUG` before a call.
SLACK_SDK_LOGGERS = (
    "slack_sdk.web.base_client",
    "slack_sdk.web.slack_response",
    "slack_sdk.webhook.client",
)


def configure_logging(log_format: str = "text", secrets: list[str] | None = None) -> None:
    """Log lines to stderr; the event loop's through a writer thread (`Handoff`)."""
    global _handoff
    stop_writer()
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redact(secrets or []))
    _handoff = Handoff(handler)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(_handoff)
    root.setLevel(logging.INFO)
    # slack-sdk formats a debug line (a call's whole body) whenever its own logger's level is
    # unset, before any handler could drop it: about 0.1 ms a call, for nothing.
    for name in SLACK_SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    # uvicorn installs its own handlers; its lines go through ours instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def flush() -> None:
    """Write the lines the writer thread holds now: a process about to end without running
    its exit handlers (a web process under uvicorn's supervisor) keeps its last lines."""
    if _handoff is not None:
        _handoff.write_pending()


@atexit.register
def stop_writer() -> None:
    """Write every line the writer thread holds, then stop it (at exit)."""
    global _handoff
    if _handoff is not None:
        _handoff.close()
        _handoff = None
