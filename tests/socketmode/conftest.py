"""End to end over Socket Mode: `sambot run` as a real process, connected through the
stand-in's websocket, driven with the same payloads Slack sends."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sambot.localslack.requests import SocketModeRequests
from sambot.localslack.server import SlackStandIn
from sambot.localslack.socket_mode import SocketModeServer
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE, OWEN

START_TIMEOUT = 60.0  # seconds for the process to import, migrate and connect


@pytest.fixture
def standin():
    with SlackStandIn() as server:
        server.add_user(DANA, "dana", real_name="Dana Scully", tz="Europe/Paris")
        server.add_user(LEE, "lee", real_name="Lee Adama", tz="Pacific/Honolulu")
        server.add_user(OWEN, "owen", real_name="Owen Grady", tz="UTC")
        server.add_channel(ACME_CHANNEL, "acme")
        server.add_channel(GENERAL, "general")
        yield server


@dataclass
class Process:
    """`sambot run`, with its stderr in a file."""

    popen: subprocess.Popen
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_for_log(self, contains: str, count: int = 1, timeout: float = 5.0) -> str:
        """The `count`-th stderr line containing `contains`, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = [line for line in self.stderr().splitlines() if contains in line]
            if len(lines) >= count:
                return lines[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"no {count} log lines containing {contains!r}:\n{self.stderr()}")


def launch(db, standin: SlackStandIn, tmp_path: Path, **env: str) -> Process:
    """Start `python -m sambot run --no-scheduler` in Socket Mode against the stand-in."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAMBOT_"))}
    settings = {
        "SLACK_BOT_TOKEN": standin.bot_token,
        "SLACK_APP_TOKEN": standin.app_token,
        "SLACK_API_URL": standin.base_url,
        "DATABASE_URL": db.url,
        "SAMBOT_TIMEZONE": "UTC",
        "PYTHONUNBUFFERED": "1",
    }
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        popen = subprocess.Popen(
            [sys.executable, "-m", "sambot", "run", "--no-scheduler"],
            env={**keep, **settings, **env},
            cwd=tmp_path,  # away from any .env file
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
    return Process(popen, stderr_path)


@pytest.fixture
def sambot_run(db, standin, tmp_path):
    """`sambot run`, connected to the stand-in's websocket."""
    process = launch(db, standin, tmp_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not standin.socket_mode.open_connections():
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"sambot run did not connect:\n{process.stderr()}")
            time.sleep(0.05)
        yield process
    finally:
        process.popen.terminate()
        process.popen.wait(timeout=10)


@dataclass
class Slack:
    standin: SlackStandIn
    socket_mode: SocketModeServer
    requests: SocketModeRequests
    process: Process

    def command(self, command: str, text: str = "", *, user=DANA, channel=ACME_CHANNEL) -> dict:
        return self.requests.command(command, text, user_id=user, channel_id=channel)

    def message(self, channel: str, contains: str, timeout: float = 5.0) -> dict:
        return _wait(lambda: self.standin.messages(channel), contains, timeout)

    def ephemeral(self, user: str, contains: str, timeout: float = 5.0) -> dict:
        return _wait(lambda: self.standin.ephemerals(user), contains, timeout)


def _wait(shown, contains: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(shown()):
            if contains in (message.get("text") or "") + json.dumps(message.get("blocks") or []):
                return message
        time.sleep(0.02)
    raise AssertionError(f"nothing shown containing {contains!r}: {shown()}")


@pytest.fixture
def slack(standin, sambot_run):
    with SocketModeRequests(standin) as requests:
        yield Slack(standin, standin.socket_mode, requests, sambot_run)
