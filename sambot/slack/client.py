"""The Web API client and `respond()`: kept-alive connections, slack-sdk's retry handlers.

slack-sdk's WebClient and WebhookClient send each call with urllib's `urlopen`, which opens
a new connection, and against Slack a new TLS session, every time: about 1.8 ms of CPU a
call over HTTPS (bench/README.md, `web_client_bench.py`). Here only that transport is
replaced, by connections kept alive on the standard library's `http.client`
(`KeptConnections`: urllib3's pool, used before, cost 0.16 ms more CPU a call, a fifth of
a `views.open`). The answer comes back in urlopen's shape, a 4xx or 5xx as urllib's
`HTTPError`, so slack-sdk's own code (its retry handlers, rate-limit waits and errors) runs
unchanged.
"""

import http.client
import io
import select
import ssl
from collections import defaultdict, deque
from email.message import Message
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

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


class KeptConnections:
    """Connections kept alive per host (SAMBOT_SLACK_CONNECTIONS idle at most each), shared by
    threads: a call takes an idle one or opens one, and gives it back when the answer is
    read whole. Only as many as calls in flight are opened; a burst beyond `most_idle`
    opens extra ones, closed after use."""

    def __init__(self, most_idle: int = 64, ssl_context: ssl.SSLContext | None = None):
        self.most_idle = most_idle
        self.ssl_context = ssl_context
        self._idle: defaultdict[tuple[str, str], deque[http.client.HTTPConnection]] = defaultdict(
            deque
        )

    def post(
        self, url: str, data: bytes | None, headers: dict[str, str], timeout: float
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """POST, as urlopen would: the answer and its body read whole, or urllib's
        exceptions."""
        scheme, netloc, path, query, _ = urlsplit(url)
        idle = self._idle[scheme, netloc]
        connection = _take_live(idle) or self._connect(scheme, netloc, timeout)
        connection.sock.settimeout(timeout)
        target = f"{path or '/'}?{query}" if query else path or "/"
        try:
            try:
                connection.request("POST", target, data, headers)
            except OSError as exc:  # not sent whole, so Slack did not act: retried
                raise URLError(exc) from exc
            # As from urlopen: a connection dropped before the answer began is retried
            # (ConnectionResetError, RemoteDisconnected); a timeout, an answer cut short or
            # malformed, perhaps after Slack acted, is not.
            response = connection.getresponse()
            try:
                body = response.read()
            except TimeoutError:
                raise
            except OSError as exc:  # reset mid-answer: an answer all the same
                raise http.client.IncompleteRead(b"") from exc
        except BaseException:
            connection.close()
            raise
        if response.will_close or len(idle) >= self.most_idle:
            connection.close()
        else:
            idle.append(connection)
        return response, body

    def _connect(self, scheme: str, netloc: str, timeout: float) -> http.client.HTTPConnection:
        if scheme == "https":
            self.ssl_context = self.ssl_context or ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                netloc, timeout=timeout, context=self.ssl_context
            )
        else:
            connection = http.client.HTTPConnection(netloc, timeout=timeout)
        try:
            connection.connect()
        except OSError as exc:  # never reached Slack: retried
            connection.close()
            raise URLError(exc) from exc
        return connection


def _take_live(idle: deque) -> http.client.HTTPConnection | None:
    """An idle connection the server has not closed meanwhile, if any (a closed one reads
    as ready: its end of file)."""
    while True:
        try:
            connection = idle.pop()
        except IndexError:
            return None
        ready = select.poll()
        ready.register(connection.sock, select.POLLIN)
        if not ready.poll(0):
            return connection
        connection.close()


def send(pool: KeptConnections, req: Request, timeout: float) -> tuple[int, Message, bytes]:
    """POST `req` as urlopen would: (status, headers, body), or urllib's exceptions."""
    response, body = pool.post(req.full_url, req.data, dict(req.header_items()), timeout)
    if response.status >= 400:
        raise HTTPError(
            req.full_url, response.status, response.reason, response.msg, io.BytesIO(body)
        )
    return response.status, response.msg, body


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
        status, headers, data = send(self.pool, req, self.timeout)
        if headers.get_content_type() == "application/gzip":
            return {"status": status, "headers": headers, "body": data}
        charset = headers.get_content_charset() or "utf-8"
        return {"status": status, "headers": headers, "body": data.decode(charset)}


class PooledWebhookClient(WebhookClient):
    """slack-sdk's WebhookClient (a response_url's) over the shared pool."""

    def __init__(self, url: str, *, pool: KeptConnections, **kwargs: Any):
        super().__init__(url, **kwargs)
        self.pool = pool

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_http_request_internal(url, req)
        status, headers, data = send(self.pool, req, self.timeout)
        charset = headers.get_content_charset() or "utf-8"
        return WebhookResponse(
            url=url, status_code=status, body=data.decode(charset), headers=dict(headers)
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
