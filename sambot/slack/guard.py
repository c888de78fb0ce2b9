"""The public endpoint's defences, before any request reaches Bolt.

The request URL faces the internet. Junk must cost little and say little: request heads
are capped in size and time as they are parsed (`GuardedHttpProtocol`, uvicorn's httptools
protocol), bodies are capped before they are read, signatures are checked on the raw bytes
before anything is parsed, slow clients are cut off, and refusals are logged as a summary,
not a line each (a flood of junk would otherwise fill the logs and the error tracker).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from slack_sdk.signature import SignatureVerifier
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

logger = logging.getLogger("sambot.http")

# The largest request accepted, on every route. Slack's largest payloads are interactions
# from a full modal or Home tab: the view comes back whole (Slack caps a view at about
# 250 kB) with its state (up to 100 inputs of 3,000 characters) and, for a button in a
# message, the message too; form encoding can triple a byte. 2 MiB holds that with room,
# and keeps a flood of oversized bodies from costing memory.
MAX_BODY_BYTES = 2 * 1024 * 1024
# A client has this long to send its whole request head, and then its whole body.
HEAD_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 10.0
# The largest request head accepted (Slack's are under 2 kB).
MAX_HEAD_BYTES = 16 * 1024
# Slack's own timestamp window (as slack-sdk's SignatureVerifier applies it).
SIGNATURE_WINDOW_S = 300


class Refusals:
    """Counts refused requests by reason; logs at most one summary line per `every` seconds.

    The first refusal after a quiet period is logged at once; the rest of a flood is
    counted and summarised with the next refusal after the period.
    """

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.every = every
        self._clock = clock
        self._counts: Counter[str] = Counter()
        self._last_logged = -float("inf")
        self._lock = threading.Lock()

    def record(self, reason: str) -> None:
        with self._lock:
            self._counts[reason] += 1
            now = self._clock()
            if now - self._last_logged < self.every:
                return
            counts, self._counts = self._counts, Counter()
            self._last_logged = now
        summary = ", ".join(f"{count} {reason}" for reason, count in counts.most_common())
        logger.warning("refused requests: %s", summary)


def signature_problem(verifier: SignatureVerifier, body: bytes, headers) -> str | None:
    """Why a request is not signed by Slack (None when it is), from the raw bytes."""
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if not timestamp or not signature:
        return "401 unsigned"
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        return "401 bad timestamp"
    if skew > SIGNATURE_WINDOW_S:
        return "401 stale timestamp"
    try:
        valid = verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
    except ValueError:  # the body is not UTF-8, so Slack did not sign it
        valid = False
    return None if valid else "401 bad signature"


class BodyLimit:
    """Every route reads its body through here: at most `max_bytes`, within `timeout` seconds.

    A declared `Content-Length` over the limit gets 413 before a byte is read; a chunked
    body is read only up to the limit. A body not finished in time gets 408. The body is
    then handed to the route whole, so no route can read past the limit.
    """

    max_bytes = MAX_BODY_BYTES
    timeout = BODY_TIMEOUT_S

    def __init__(self, app: ASGIApp, refusals: Refusals):
        self.app = app
        self.refusals = refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, 413, "request body too large")
            return
        try:
            async with asyncio.timeout(self.timeout):
                body = await self._read(receive)
        except BodyTooLarge:
            await self._refuse(send, 413, "request body too large")
            return
        except TimeoutError:
            await self._refuse(send, 408, "request body not received in time")
            return
        except ClientGone:
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, send: Send, status: int, text: str) -> None:
        self.refusals.record(f"{status} {text}")
        # The rest of the body is never read, so the connection cannot be reused.
        await send_text(send, status, text, close=True)


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def send_text(send: Send, status: int, text: str, *, close: bool = False) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode()})


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for each request head.

    uvicorn closes a keep-alive connection that stays idle after a response, but sets no
    deadline on a new connection or on a head trickled in byte by byte, and httptools sets
    no limit on a head's size, so such clients could hold a connection, and memory, forever.
    Here a connection whose request head is not complete `head_timeout` seconds after the
    connection (or the previous response) is closed, unanswered; a head over
    `MAX_HEAD_BYTES` gets 400 and the connection is closed.
    """

    head_timeout = HEAD_TIMEOUT_S
    max_head_bytes = MAX_HEAD_BYTES

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        # Bytes received of the head in progress; None while no head is in progress.
        self._head_bytes: int | None = None
        self._chunk_bytes = 0
        self._ended_in_this_read = False  # a request ended in the read being parsed
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        self._chunk_bytes = len(data)
        self._ended_in_this_read = False
        if self._head_bytes is not None:
            self._head_bytes += len(data)
        super().data_received(data)
        # A head still incomplete after this read and already over the limit: refused now,
        # as httptools would keep buffering a head without end.
        if (
            self._head_bytes is not None
            and self._head_bytes > self.max_head_bytes
            and not self.transport.is_closing()
        ):
            self.logger.warning(INVALID_HTTP)  # as uvicorn refuses any bad request
            self.send_400_response(INVALID_HTTP)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # At most the read it begins in; after a request that ended in that read (a
        # pipelined one, perhaps with a large body), from the next read: one read's
        # worth can go uncounted, never a head without end.
        self._head_bytes = 0 if self._ended_in_this_read else self._chunk_bytes

    def on_message_complete(self) -> None:
        self._ended_in_this_read = True
        super().on_message_complete()

    def on_headers_complete(self) -> None:
        self._head_bytes = None
        self._disarm_head_deadline()
        if self._parsed_head_bytes() > self.max_head_bytes:
            # Raised in a parser callback, this stops the parser, and uvicorn answers 400
            # and closes, as for any request it cannot parse.
            raise HeadTooLarge
        super().on_headers_complete()

    def _parsed_head_bytes(self) -> int:
        """The complete head's size, from what was parsed: a read that completes a head
        may carry a body after it, so its length says nothing."""
        method = self.parser.get_method()
        request_line = len(method) + len(b" ") + len(self.url) + len(b" HTTP/1.1\r\n")
        fields = sum(len(name) + len(b": \r\n") + len(value) for name, value in self.headers)
        return request_line + fields + len(b"\r\n")

    def on_response_complete(self) -> None:
        # A pipelined request, its head complete, starts now: no head is awaited yet.
        pipelined = bool(self.pipeline)
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._arm_head_deadline()

    def connection_lost(self, exc) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_overdue)

    def _disarm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_overdue(self) -> None:
        self._head_deadline = None
        # Still waiting for (the rest of) a request head: nothing to answer, just close.
        if not self.transport.is_closing():
            self.transport.close()


class HeadTooLarge(Exception):
    pass


# What uvicorn logs, and answers with 400, for each request it cannot parse.
INVALID_HTTP = "Invalid HTTP request received."


class SummariseInvalidHttp(logging.Filter):
    """uvicorn logs a warning per malformed HTTP request (an oversized head included);
    count them as refusals instead."""

    def __init__(self, refusals: Refusals):
        super().__init__()
        self.refusals = refusals

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() == INVALID_HTTP:
            self.refusals.record("400 invalid HTTP")
            return False
        return True
