"""The Web API client sambot builds: kept-alive connections, slack-sdk's retries kept."""

import time

import pytest
from slack_sdk.errors import SlackApiError

from sambot.localslack import SlackStandIn
from sambot.slack.client import PooledWebClient, build_web_client
from tests.slack import seed
from tests.slack.conftest import DANA


@pytest.fixture
def standin():
    with SlackStandIn() as standin:
        standin.add_channel("C1", "accounts")
        yield standin


def test_calls_share_kept_alive_connections(standin):
    client = build_web_client(standin.bot_token, standin.base_url)
    assert isinstance(client, PooledWebClient)
    for n in range(20):
        client.chat_postMessage(channel="C1", text=f"post {n}")
    assert len(standin.messages("C1")) == 20
    assert standin.connections == 1


def test_a_rate_limit_is_waited_out_and_retried(standin):
    client = build_web_client(standin.bot_token, standin.base_url)
    standin.rate_limit("chat.postMessage", retry_after=1, times=1)
    started = time.monotonic()
    client.chat_postMessage(channel="C1", text="hello")
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in standin.calls("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in standin.messages("C1")] == ["hello"]


def test_a_server_error_is_retried_and_a_slack_error_raised(standin):
    client = build_web_client(standin.bot_token, standin.base_url)
    standin.server_error("chat.postMessage", status=502, times=1)
    client.chat_postMessage(channel="C1", text="after a 502")
    assert [c.status for c in standin.calls("chat.postMessage")] == [502, 200]
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C-missing", text="nowhere")
    assert raised.value.response["error"] == "channel_not_found"


def test_a_server_that_is_gone_is_retried_then_reported(standin):
    client = build_web_client(standin.bot_token, standin.base_url, max_retries=2)
    standin.stop()
    started = time.monotonic()
    with pytest.raises(OSError):
        client.chat_postMessage(channel="C1", text="lost")
    # Two retries, each after slack-sdk's backoff: the failure was retried, not raised at once.
    assert time.monotonic() - started >= 0.5


def test_answers_through_response_urls_keep_their_connections(slack, db):
    seed.acme(db)
    slack.command("/sam", "help")
    slack.ephemeral(DANA, "/sam account new")
    before = slack.standin.connections
    for _ in range(5):
        slack.command("/sam", "accounts")
        slack.in_flight.settle()
    answers = [e for e in slack.standin.ephemerals(DANA) if e["source"] == "response_url"]
    assert len(answers) == 6
    assert slack.standin.connections - before <= 1


def test_listeners_web_api_calls_keep_their_connections(slack, db):
    """Bolt builds a plain WebClient for every request; the listeners' calls still go over
    the shared pool, so a command's views.open does not open a connection of its own."""
    seed.acme(db)
    slack.command("/touchpoint")
    slack.opened_view("touchpoint")
    slack.in_flight.settle()
    before = slack.standin.connections
    for _ in range(5):
        slack.command("/touchpoint")
        slack.in_flight.settle()
    assert len(slack.standin.calls("views.open")) == 6
    assert slack.standin.connections - before <= 1
