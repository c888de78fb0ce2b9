"""The Web API client and `respond()`: kept-alive connections, slack-sdk's retry handlers.

slack-sdk's WebClient and WebhookClient send each call with urllib's `urlopen`, which opens
a new connection, and against Slack a new TLS session, every time: about 1.8 ms of CPU a
call over HTTPS (bench/README.md, `web_client_bench.py`). Here only that transport is
replaced, by connections kept alive (`KeptConnections`). The answer comes back in urlopen's
shape, a 4xx or 5xx as urllib's `HTTPError`, so slack-sdk's own code (its retry handlers,
rate-limit waits and errors) runs unchanged.

An answer is read with httptools, the C parser (llhttp) that uvicorn already runs for
sambot's requests: `http.client` parses an answer's headers with the `email` package, and
cost 0.24 ms of CPU a POST where this costs 0.11 ms (`bench/web_client_bench.py`).
urllib3's pool, used before that, sits on `http.client` too and cost 0.16 ms more again.
"""

import http.client
import io
import re
import select
import socket
import ssl
from collections import defaultdict, deque
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import SplitResult, urlsplit
from urllib.request import Request

import httptools
from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient, WebhookResponse

from sambot.ops.metrics import WEB_API_CALLS


class Answer:
    """An HTTP answer read whole: `msg` holds its headers as `http.client` would (slack-sdk
    reads Retry-After there), and httptools' parser fills it through these callbacks."""

    def __init__(self) -> None:
        self.status = 0
        self.reason = ""
        self.msg = http.client.HTTPMessage()
        self.body = b""
        self.will_close = True
        self.complete = False
        self._chunks: list[bytes] = []
        self._parser = httptools.HttpResponseParser(self)

    @property
    def media_type(self) -> str:
        return (self.msg.get("Content-Type") or "").partition(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        """Content-Type's charset, utf-8 unless it says otherwise."""
        for parameter in (self.msg.get("Content-Type") or "").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset" and value.strip(' "'):
                return value.strip(' "').lower()
        return "utf-8"

    def read(self, sock: socket.socket) -> "Answer":
        """Read from `sock` to the end of one answer, or raise as `http.client` would: an
        end of file or a reset before any of it came is retried by slack-sdk
        (`RemoteDisconnected`, `ConnectionResetError`); a timeout, or an answer cut short,
        after which Slack may have acted, is not."""
        started = False
        while not self.complete:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                raise
            except OSError as exc:
                if not started:
                    raise
                raise http.client.IncompleteRead(b"".join(self._chunks)) from exc
            if not data:
                if self._framed_by_close():
                    break
                if not started:
                    raise http.client.RemoteDisconnected("closed without an answer")
                raise http.client.IncompleteRead(b"".join(self._chunks))
            started = True
            try:
                self._parser.feed_data(data)
            except httptools.HttpParserError as exc:
                raise http.client.HTTPException(f"a malformed answer: {exc}") from exc
        self.body = b"".join(self._chunks)
        return self

    def _framed_by_close(self) -> bool:
        """An answer with neither a length nor chunks ends with its connection."""
        return bool(self.status) and not (
            "Content-Length" in self.msg or "Transfer-Encoding" in self.msg
        )

    # httptools' callbacks
    def on_status(self, reason: bytes) -> None:
        self.reason = reason.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.msg[name.decode("latin-1")] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()

    def on_body(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    def on_message_complete(self) -> None:
        # Asked now: once this returns, the parser is reset for a next answer.
        self.will_close = not self._parser.should_keep_alive()
        self.complete = True


class KeptConnections:
    """Connections kept alive per host (SAMBOT_SLACK_CONNECTIONS idle at most each), shared by
    threads: a call takes an idle one or opens one, and gives it back when the answer is
    read whole. Only as many as calls in flight are opened; a burst beyond `most_idle`
    opens extra ones, closed after use."""

    def __init__(self, most_idle: int = 64, ssl_context: ssl.SSLContext | None = None):
        self.most_idle = most_idle
        self.ssl_context = ssl_context
        self._idle: defaultdict[tuple[str, str], deque[socket.socket]] = defaultdict(deque)

    def post(self, url: str, data: bytes | None, headers: dict[str, str], timeout: float) -> Answer:
        """POST, as urlopen would: the answer read whole, or urllib's exceptions."""
        parts = urlsplit(url)
        idle = self._idle[parts.scheme, parts.netloc]
        sock = _take_live(idle) or self._connect(parts, timeout)
        sock.settimeout(timeout)
        try:
            try:
                sock.sendall(_request(parts, headers, data or b""))
            except OSError as exc:  # not sent whole, so Slack did not act: retried
                raise URLError(exc) from exc
            answer = Answer().read(sock)
        except BaseException:
            sock.close()
            raise
        if answer.will_close or len(idle) >= self.most_idle:
            sock.close()
        else:
            idle.append(sock)
        return answer

    def _connect(self, parts: SplitResult, timeout: float) -> socket.socket:
        https = parts.scheme == "https"
        try:
            sock = socket.create_connection(
                (parts.hostname, parts.port or (443 if https else 80)), timeout
            )
            # The head and the body go in one write, but a delayed ACK must never hold either.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if https:
                self.ssl_context = self.ssl_context or ssl.create_default_context()
                sock = self.ssl_context.wrap_socket(sock, server_hostname=parts.hostname)
        except OSError as exc:  # never reached Slack: retried
            raise URLError(exc) from exc
        return sock


_UNSAFE_IN_HEADER = re.compile(r"[\r\n\0]")


def _request(parts: SplitResult, headers: dict[str, str], body: bytes) -> bytes:
    """A POST's bytes, its head as `http.client` writes it."""
    target = f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"
    lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}", "Accept-Encoding: identity"]
    for name, value in headers.items():
        if _UNSAFE_IN_HEADER.search(f"{name}{value}"):
            raise ValueError(f"a line break in the header {name!r}")
        lines.append(f"{name}: {value}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _take_live(idle: deque) -> socket.socket | None:
    """An idle connection the server has not closed meanwhile, if any (a closed one reads
    as ready: its end of file)."""
    while True:
        try:
            sock = idle.pop()
        except IndexError:
            return None
        ready = select.poll()
        ready.register(sock, select.POLLIN)
        if not ready.poll(0):
            return sock
        sock.close()


def send(pool: KeptConnections, req: Request, timeout: float) -> Answer:
    """POST `req` as urlopen would: the answer, or urllib's exceptions (a 4xx or 5xx as
    `HTTPError`)."""
    answer = pool.post(req.full_url, req.data, dict(req.header_items()), timeout)
    if answer.status >= 400:
        raise HTTPError(
            req.full_url, answer.status, answer.reason, answer.msg, io.BytesIO(answer.body)
        )
    return answer


class GatewayErrorRetryHandler(ServerErrorRetryHandler):
    """slack-sdk's server-error handler retries 500 and 503; a proxy's 502 and 504 too."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class PooledWebClient(WebClient):
    """slack-sdk's WebClient over the shared pool of kept-alive connections, counting its
    calls by method and error (sambot_slack_api_calls_total)."""

    def __init__(self, *args: Any, pool: KeptConnections | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.pool = pool or KeptConnections()

    def api_call(self, api_method: str, **kwargs):
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            WEB_API_CALLS.labels(api_method, exc.response.get("error") or "http_error").inc()
            raise
        except TimeoutError:
            WEB_API_CALLS.labels(api_method, "timeout").inc()
            raise
        except Exception:
            WEB_API_CALLS.labels(api_method, "connection").inc()
            raise
        WEB_API_CALLS.labels(api_method, "").inc()
        return response

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        answer = send(self.pool, req, self.timeout)
        body = answer.body
        if answer.media_type != "application/gzip":
            body = body.decode(answer.charset)
        return {"status": answer.status, "headers": answer.msg, "body": body}


class PooledWebhookClient(WebhookClient):
    """slack-sdk's WebhookClient (a response_url's) over the shared pool."""

    def __init__(self, url: str, *, pool: KeptConnections, **kwargs: Any):
        super().__init__(url, **kwargs)
        self.pool = pool

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_http_request_internal(url, req)
        answer = send(self.pool, req, self.timeout)
        return WebhookResponse(
            url=url,
            status_code=answer.status,
            body=answer.body.decode(answer.charset),
            headers=dict(answer.msg),
        )


class PooledRespond(Respond):
    """Bolt's `respond()`, sent over the shared pool."""

    def __init__(self, *, response_url: str | None, pool: KeptConnections):
        super().__init__(response_url=response_url)
        self.pool = pool

    def __call__(self, text: str | dict = "", **fields: Any) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        message = (
            _build_message(**text) if isinstance(text, dict) else _build_message(text, **fields)
        )
        return PooledWebhookClient(self.response_url, pool=self.pool).send_dict(message)


def responder(client: WebClient, response_url: str) -> PooledRespond:
    """`respond()` for a response_url that a payload or a form carried, over the client's
    pool when it has one."""
    return PooledRespond(
        response_url=response_url, pool=getattr(client, "pool", None) or KeptConnections()
    )


def build_web_client(
    token: str | None,
    base_url: str,
    *,
    max_retries: int = 3,
    timeout: float = 10,
    pool: KeptConnections | None = None,
) -> PooledWebClient:
    """Retry connection errors, 429s (waiting Retry-After) and 5xx answers, as Slack advises."""
    client = PooledWebClient(token=token, base_url=base_url, timeout=timeout, pool=pool)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        GatewayErrorRetryHandler(max_retry_count=max_retries),
    ]
    return client
