"""A Slack stand-in (one per session, reset for each test) and a client pointed at it."""

from collections.abc import Iterator

import pytest

from sambot.localslack import SlackStandIn
from sambot.slack.client import build_web_client
from tests.jobs.builders import TEAM_ID, TOKEN


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(bot_token=TOKEN, team_id=TEAM_ID) as standin:
        yield standin


@pytest.fixture
def standin(slack: SlackStandIn) -> SlackStandIn:
    slack.reset(everything=True)
    slack.latency = 0.0
    return slack


@pytest.fixture
def client(standin):
    return build_web_client(TOKEN, standin.base_url)
