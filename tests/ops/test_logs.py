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
