"""`sambot run` as a real process: /healthz, /readyz, /metrics, JSON log lines that name
the request and never a secret, and a graceful stop on SIGTERM that finishes the work
already acknowledged."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from sambot.localslack.requests import SlackRequests
from sambot.localslack.server import SlackStandIn

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "xoxb-1234-5678-topsecretbottoken"
SECRET = "0123456789abcdef-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebProcess:
    def __init__(self, db, standin: SlackStandIn, **settings: str):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": db.url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.base_url,
            "PORT": str(self.port),
            "SAMBOT_LOG_FORMAT": "json",
            "PYTHONPATH": str(ROOT),
            **settings,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sambot", "run", "--no-scheduler"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, self.log
            assert time.monotonic() < deadline, self.log
            time.sleep(0.1)

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=5)
        return code


@pytest.fixture
def standin():
    with SlackStandIn(bot_token=TOKEN) as server:
        server.add_user("UDANA", "dana", real_name="Dana Scully", tz="Europe/Paris")
        server.add_channel("CACME", "acme")
        yield server


@pytest.fixture
def web(db, standin):
    started = []

    def start(**settings):
        started.append(WebProcess(db, standin, **settings))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()


def test_health_readiness_metrics_logs_and_a_graceful_stop(db, standin, web):
    server = web()
    assert httpx.get(f"{server.base}/healthz").json() == {"ok": True}
    assert httpx.get(f"{server.base}/readyz").json() == {"ok": True}

    with SlackRequests(f"{server.base}/slack/events", SECRET, standin) as slack:
        assert slack.command("/sam", "help", user_id="UDANA", channel_id="CACME").status_code == 200
        standin.wait_for("response_url", timeout=10)
        # Slack is slow now: the next command's answer is still on its way at SIGTERM.
        standin.latency = 1.0
        assert slack.command("/sam", "help", user_id="UDANA", channel_id="CACME").status_code == 200
        assert slack.send("junk", "application/json", signature="none").status_code == 401

    metrics = httpx.get(f"{server.base}/metrics").text
    assert 'sambot_ack_seconds_count{kind="command"} 2.0' in metrics
    assert 'sambot_interactions_total{kind="command",outcome="acked"} 2.0' in metrics
    assert 'sambot_interactions_total{kind="unsigned",outcome="refused"} 1.0' in metrics
    assert "sambot_slack_api_calls_total" in metrics

    assert server.stop() == 0, server.log
    # The acknowledged command was answered before the process stopped.
    assert len(standin.calls("response_url")) == 2, server.log
    records = [json.loads(line) for line in server.lines]  # every line is one JSON object
    [first, *_] = [r for r in records if r.get("kind") == "command"]
    assert first["team"] == "T0001" and first["command"] == "/sam"
    assert len(first["request_id"]) == 12 and first["duration_ms"] >= 0
    assert first["outcome"] == "acked" and first["status"] == 200
    assert any(r["message"] == "stopped" for r in records)
    # Never a token or the signing secret, in any line.
    assert TOKEN not in server.log and SECRET not in server.log
    assert "topsecret" not in server.log


def test_readyz_says_what_keeps_it_from_serving(tmp_path):
    from sambot.db import Database
    from sambot.ops.health import expected_revision, readiness_problem

    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        problem = readiness_problem(empty)
    finally:
        empty.dispose()
    assert problem == (
        f"database at revision None, this version needs {expected_revision()}: "
        "run `sambot db upgrade`"
    )
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        assert readiness_problem(unreachable) == "database unreachable (OperationalError)"
    finally:
        unreachable.dispose()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_several_web_processes_share_the_port_count_together_and_stop_gracefully(db, standin, web):
    server = web(SAMBOT_WEB_PROCESSES="2")
    # uvicorn's supervisor and, under it, the two web processes, each started afresh.
    started = [line for line in server.lines if "Started server process" in line]
    deadline = time.monotonic() + 30
    while len(started) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        started = [line for line in server.lines if "Started server process" in line]
    assert len(started) == 2, server.log
    web_pids = {int(json.loads(line)["message"].split("[")[1].rstrip("]")) for line in started}
    assert len(web_pids) == 2 and web_pids <= set(_children(server.process.pid)), server.log

    commands = 12
    for number in range(commands + 1):
        if number == commands:
            standin.latency = 1.0  # the last answer is still on its way at SIGTERM
        # A connection of its own each time, so that either process may take it.
        with SlackRequests(f"{server.base}/slack/events", SECRET, standin) as slack:
            answer = slack.command("/sam", "help", user_id="UDANA", channel_id="CACME")
            assert answer.status_code == 200

    # Whichever process answers /metrics, it counts every process's requests.
    for _ in range(4):
        metrics = httpx.get(f"{server.base}/metrics", headers={"connection": "close"}).text
        assert f'sambot_ack_seconds_count{{kind="command"}} {commands + 1}.0' in metrics
        assert (
            f'sambot_interactions_total{{kind="command",outcome="acked"}} {commands + 1}.0'
            in metrics
        )

    assert server.stop() == 0, server.log
    # Every acknowledged command was answered before the processes stopped.
    assert len(standin.calls("response_url")) == commands + 1, server.log
    assert sum(json.loads(line)["message"] == "stopped" for line in server.lines) == 2
    assert not set(_children(server.process.pid)) & web_pids


def _work_processes(pid: int) -> list[int]:
    """The children multiprocessing spawned to run work (not its resource tracker)."""
    found = []
    for child in _children(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(child)
    return found


def _wait_until_ready(server: WebProcess) -> None:
    deadline = time.monotonic() + 60
    while httpx.get(f"{server.base}/readyz").status_code != 200:
        assert time.monotonic() < deadline, server.log
        time.sleep(0.1)


def test_work_processes_do_the_work_after_the_acks_and_finish_it_on_sigterm(db, standin, web):
    from tests.slack import seed

    seed.acme(db)  # linked to #acme (CACME), owned by Dana
    # Four threads each: 24 ahead at most (two rounds of 8 threads would allow 32).
    server = web(SAMBOT_WORK_PROCESSES="2", SAMBOT_WORK_THREADS="4")
    _wait_until_ready(server)
    workers = _work_processes(server.process.pid)
    assert len(workers) == 2
    with SlackRequests(f"{server.base}/slack/events", SECRET, standin) as slack:
        answer = slack.command("/touchpoint", "", user_id="UDANA", channel_id="CACME")
        assert (answer.status_code, answer.content) == (200, b"")
        standin.wait_for("views.open", timeout=30)  # the work processes start afresh
        # Slack is slow now: the work piles up in the two processes, four requests each at
        # a time. Past 24 waiting or running, a command waits at the door (0.5 s), and is
        # told busy in its ack when nothing finished meanwhile.
        standin.latency = 2.0
        answers = [
            slack.command("/sam", "help", user_id="UDANA", channel_id="CACME") for _ in range(26)
        ]
    busy = [a for a in answers if a.content]
    assert all(a.status_code == 200 for a in answers)
    assert [a.content for a in answers[:24]] == [b""] * 24
    # The 25th waited 0.5 s and was told busy; the 26th too, unless the first work
    # finished (2 s after it started) while it waited, on a slow machine.
    assert answers[24].content and 1 <= len(busy) <= 2, [a.content for a in answers]
    assert all("busy" in a.json()["text"] for a in busy)
    metrics = httpx.get(f"{server.base}/metrics").text
    assert f'sambot_interactions_total{{kind="command",outcome="busy"}} {len(busy)}.0' in metrics
    assert httpx.get(f"{server.base}/readyz").json() == {"ok": True}
    assert server.stop() == 0, server.log
    # Every command acknowledged without "busy" was answered before the processes stopped.
    assert len(standin.calls("response_url")) == 26 - len(busy), server.log
    # The work processes' calls to Slack are counted with the web process's requests.
    assert 'sambot_slack_api_calls_total{error="",method="views.open"} 1.0' in metrics
    assert not set(_children(server.process.pid)) & set(workers)
    assert any(json.loads(line)["message"] == "stopped" for line in server.lines)


def test_a_work_process_that_dies_is_started_again_and_readyz_says_so_meanwhile(db, standin, web):
    from tests.slack import seed

    seed.acme(db)
    server = web(SAMBOT_WORK_PROCESSES="2")
    first = httpx.get(f"{server.base}/readyz")
    # Each work process builds its own app: until both have, the pod is not ready.
    if first.status_code == 503:
        assert first.json()["problem"].endswith("of 2 work processes started")
    _wait_until_ready(server)
    killed = _work_processes(server.process.pid)[0]
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while (
        killed in _work_processes(server.process.pid)
        or len(_work_processes(server.process.pid)) < 2
    ):
        httpx.get(f"{server.base}/readyz")  # the check that finds it dead starts another
        assert time.monotonic() < deadline, server.log
        time.sleep(0.1)
    _wait_until_ready(server)
    assert "exited (code -9): starting another" in server.log
    with SlackRequests(f"{server.base}/slack/events", SECRET, standin) as slack:
        for _ in range(4):  # whichever process takes them, each is served
            slack.command("/touchpoint", "", user_id="UDANA", channel_id="CACME")
    deadline = time.monotonic() + 30
    while len(standin.calls("views.open")) < 4:
        assert time.monotonic() < deadline, server.log
        time.sleep(0.1)
    assert server.stop() == 0, server.log


def test_work_processes_yield_the_cores_to_the_web_process_that_acks(db, standin, web):
    """Under a full machine the kernel runs the process answering acks first."""
    server = web(SAMBOT_WORK_PROCESSES="2")
    _wait_until_ready(server)
    web_niceness = os.getpriority(os.PRIO_PROCESS, server.process.pid)
    workers = _work_processes(server.process.pid)
    assert len(workers) == 2
    for worker in workers:
        assert os.getpriority(os.PRIO_PROCESS, worker) == web_niceness + 5
    assert server.stop() == 0, server.log
