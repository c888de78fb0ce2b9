"""The Web API client: built once, with the configured base URL and retry handlers."""

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from sambot.ops.metrics import WEB_API_CALLS


class CountedWebClient(WebClient):
    """A WebClient that counts its calls by method and error (sambot_slack_api_calls_total)."""

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


class GatewayErrorRetryHandler(ServerErrorRetryHandler):
    """slack-sdk's server-error handler retries 500 and 503; a proxy's 502 and 504 too."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


def build_web_client(
    token: str | None, base_url: str, *, max_retries: int = 3, timeout: float = 10
) -> WebClient:
    """Retry connection errors, 429s (waiting Retry-After) and 5xx answers, as Slack advises."""
    client = CountedWebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        GatewayErrorRetryHandler(max_retry_count=max_retries),
    ]
    return client
