"""Log lines written on the event loop never make it wait: a writer thread writes them."""

import asyncio
import json
import logging
import sys
import threading
import time

import pytest

from sambot.ops import logs


class SlowSink:
    """stderr behind a log collector that has stopped reading, until `release`."""

    def __init__(self):
        self.released = threading.Event()
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.released.wait(timeout=5)
        self.lines.append(text)

    def flush(self) -> None:
        pass


@pytest.fixture
def slow_stderr(monkeypatch):
    """(The root logger's handlers are put back by `logging_restored`, tests/conftest.py.)"""
    sink = SlowSink()
    monkeypatch.setattr(sys, "stderr", sink)
    logs.configure_logging("json", secrets=["the-signing-secret"])
    yield sink
    sink.released.set()


def test_a_request_line_leaves_the_event_loop_at_once_with_its_context(slow_stderr):
    async def request() -> float:
        logs.request_id.set("abc123")
        started = time.perf_counter()
        logging.getLogger("sambot.http").info("command acked, secret the-signing-secret")
        return time.perf_counter() - started

    assert asyncio.run(request()) < 1, "the event loop waited for the log sink"
    slow_stderr.released.set()
    logs.stop_writer()  # the writer thread writes what it holds, then stops
    [line] = [json.loads(text) for text in slow_stderr.lines]
    # The request's id was read on the loop, where it is set, not in the writer thread.
    assert line["request_id"] == "abc123"
    assert line["message"] == "command acked, secret ***"


class Counted(str):
    """A text that counts how often it is formatted for a log line (json.dumps reads it
    as the text it is, without asking)."""

    formatted = 0

    def __repr__(self) -> str:
        Counted.formatted += 1
        return super().__repr__()


def test_calls_to_slack_build_no_debug_line_that_nobody_logs(monkeypatch):
    from sambot.localslack import SlackStandIn
    from sambot.slack.client import KeptConnections, PooledRespond, PooledWebClient

    monkeypatch.setattr(sys, "stderr", SlowSink())
    for name in logs.SLACK_SDK_LOGGERS:  # as a fresh process has them
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)
    logs.configure_logging("text")
    Counted.formatted = 0
    with SlackStandIn() as slack:
        slack.add_user("UDANA", "dana")
        slack.add_channel("CACME", "acme")
        pool = KeptConnections()
        client = PooledWebClient(token=slack.bot_token, base_url=slack.base_url, pool=pool)
        assert client.chat_postMessage(channel="CACME", text=Counted("hello"))["ok"]
        url = slack.new_response_url("CACME", "UDANA")
        assert PooledRespond(response_url=url, pool=pool)(text=Counted("hi")).status_code == 200
    assert Counted.formatted == 0, "a body was formatted for a debug line"
    # The other loggers slack-sdk checks so format what Counted cannot see (the parsed
    # response, the webhook's encoded body).
    assert all(logging.getLogger(name).level > logging.DEBUG for name in logs.SLACK_SDK_LOGGERS)
    assert logging.getLogger().getEffectiveLevel() == logging.INFO
