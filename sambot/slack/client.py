"""The Web API client and `respond()`: kept-alive connections, slack-sdk's retry handlers.

slack-sdk's WebClient and WebhookClient send each call with urllib's `urlopen`, which opens
a new connection, and against Slack a new TLS session, every time: about 1.8 ms of CPU a
call over HTTPS (bench/README.md, `web_client_bench.py`). Here only that transport is
replaced, by one shared urllib3 pool (cheaper a call than httpx, measured there too). The
answer comes back in urlopen's shape, a 4xx or 5xx as urllib's `HTTPError`, so
slack-sdk's own code (its retry handlers, rate-limit waits and errors) runs unchanged.
"""

import io
from collections.abc import Iterable
from email.message import Message
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
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
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import (
    HTTPError as Urllib3Error,
)

from sambot.ops.metrics import WEB_API_CALLS


def new_pool(maxsize: int = 64) -> urllib3.PoolManager:
    """Connections kept alive per host (SAMBOT_SLACK_CONNECTIONS): only as many as calls in
    flight are opened; a burst beyond `maxsize` opens extra ones, closed after use."""
    return urllib3.PoolManager(maxsize=maxsize, block=False)


def send(pool: urllib3.PoolManager, req: Request, timeout: float) -> tuple[int, Message, bytes]:
    """POST `req` as urlopen would: (status, headers, body), or urllib's exceptions."""
    try:
        response = pool.request(
            "POST",
            req.full_url,
            body=req.data,
            headers=dict(req.header_items()),
            timeout=timeout,
            retries=False,  # slack-sdk's retry handlers decide, as with urlopen
        )
    except Urllib3Error as exc:
        raise _as_urllib_error(exc) from exc
    headers = _as_http_message(response.headers.items())
    if response.status >= 400:
        body = io.BytesIO(response.data)
        raise HTTPError(req.full_url, response.status, response.reason, headers, body)
    return response.status, headers, response.data


class GatewayErrorRetryHandler(ServerErrorRetryHandler):
    """slack-sdk's server-error handler retries 500 and 503; a proxy's 502 and 504 too."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class PooledWebClient(WebClient):
    """slack-sdk's WebClient over the shared pool of kept-alive connections, counting its
    calls by method and error (sambot_slack_api_calls_total)."""

    def __init__(self, *args: Any, pool: urllib3.PoolManager | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.pool = pool or new_pool()

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

    def __init__(self, url: str, *, pool: urllib3.PoolManager, **kwargs: Any):
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

    def __init__(self, *, response_url: str | None, pool: urllib3.PoolManager):
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
        response_url=response_url, pool=getattr(client, "pool", None) or new_pool()
    )


def build_web_client(
    token: str | None,
    base_url: str,
    *,
    max_retries: int = 3,
    timeout: float = 10,
    pool: urllib3.PoolManager | None = None,
) -> PooledWebClient:
    """Retry connection errors, 429s (waiting Retry-After) and 5xx answers, as Slack advises."""
    client = PooledWebClient(token=token, base_url=base_url, timeout=timeout, pool=pool)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        GatewayErrorRetryHandler(max_retry_count=max_retries),
    ]
    return client


def _as_urllib_error(exc: Urllib3Error) -> OSError:
    """What urlopen raises for the same failure, so the same retry handlers apply: a
    connection never made, or dropped before an answer, is retried; a read that timed out,
    perhaps after Slack acted, is not."""
    if isinstance(exc, NewConnectionError | ConnectTimeoutError):
        return URLError(exc)
    if isinstance(exc, ReadTimeoutError):
        return TimeoutError(str(exc))
    if isinstance(exc, ProtocolError):
        return ConnectionResetError(str(exc))
    return URLError(exc)


def _as_http_message(headers: Iterable[tuple[str, str]]) -> Message:
    message = HTTPMessage()
    for name, value in headers:
        message[name] = value
    return message
