"""A Slack stand-in for the rules that talk to Slack (one per session, reset for each test)."""

from collections.abc import Iterator

import pytest

from sambot.localslack import SlackStandIn
from sambot.slack.client import build_web_client

TOKEN = "xoxb-rules"


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(bot_token=TOKEN) as standin:
        yield standin


@pytest.fixture
def standin(slack: SlackStandIn) -> SlackStandIn:
    slack.reset(everything=True)
    slack.latency = 0.0
    return slack


@pytest.fixture
def client(standin):
    return build_web_client(TOKEN, standin.base_url)
