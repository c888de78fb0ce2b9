"""A started stand-in with a small workspace, and a WebClient pointed at it."""

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from sambot.localslack import SlackStandIn

TOKEN = "xoxb-test"


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(bot_token=TOKEN) as standin:
        standin.add_user("U1", "alice", "Alice Martin", tz="Europe/Paris", email="alice@ex.com")
        standin.add_user("U2", "bob")
        standin.add_channel("C1", "accounts")
        standin.add_channel("C2", "outside", bot_is_member=False)
        standin.add_channel("C3", "old", is_archived=True)
        standin.add_channel("C4", "team", members=["U1"])
        standin.add_channel("G1", "secret", is_private=True, bot_is_member=False)
        yield standin


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(
        token=TOKEN,
        base_url=standin.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
