"""The Web API client: built once, with the configured base URL and retry handlers."""

import io
from email.message import Message
from http.client import HTTPMessage
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import httpx
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)


class GatewayErrorRetryHandler(ServerErrorRetryHandler):
    """slack-sdk's server-error handler retries 500 and 503; a proxy's 502 and 504 too."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class PooledWebClient(WebClient):
    """slack-sdk's WebClient over kept-alive connections.

    WebClient sends each call with urllib's `urlopen`, which opens a new connection (and,
    against Slack, a new TLS session) every time. Only that transport is replaced, by one
    shared httpx connection pool: the answer comes back in urlopen's shape, a 4xx or 5xx
    as urllib's `HTTPError`, so slack-sdk's own code (its retry handlers, rate-limit
    waits and errors) runs as before.
    """

    def __init__(self, *args: Any, pool: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = pool or httpx.Client(
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16)
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            response = self.pool.post(
                url, content=req.data, headers=dict(req.header_items()), timeout=self.timeout
            )
        except httpx.TransportError as exc:
            raise _as_urllib_error(exc) from exc
        headers = _as_http_message(response.headers)
        if response.status_code >= 400:
            raise HTTPError(
                url,
                response.status_code,
                response.reason_phrase,
                headers,
                io.BytesIO(response.content),
            )
        if headers.get_content_type() == "application/gzip":
            return {"status": response.status_code, "headers": headers, "body": response.content}
        charset = headers.get_content_charset() or "utf-8"
        return {
            "status": response.status_code,
            "headers": headers,
            "body": response.content.decode(charset),
        }


def _as_urllib_error(exc: httpx.TransportError) -> OSError:
    """What urlopen raises for the same failure, so the same retry handlers apply: a
    connection never made, or dropped before an answer, is retried; a read that timed out,
    perhaps after Slack acted, is not."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return URLError(exc)
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(str(exc))
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return ConnectionResetError(str(exc))
    return URLError(exc)


def _as_http_message(headers: httpx.Headers) -> Message:
    message = HTTPMessage()
    for name, value in headers.multi_items():
        message[name] = value
    return message


def build_web_client(token: str | None, base_url: str, *, max_retries: int = 3) -> WebClient:
    """Retry connection errors, 429s (waiting Retry-After) and 5xx answers, as Slack advises."""
    client = PooledWebClient(token=token, base_url=base_url, timeout=10)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        GatewayErrorRetryHandler(max_retry_count=max_retries),
    ]
    return client
