"""The Web API client: built once, with the configured base URL and retry handlers."""

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


def build_web_client(
    token: str | None, base_url: str, *, max_retries: int = 3, timeout: float = 10
) -> WebClient:
    """Retry connection errors, 429s (waiting Retry-After) and 5xx answers, as Slack advises."""
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        GatewayErrorRetryHandler(max_retry_count=max_retries),
    ]
    return client
