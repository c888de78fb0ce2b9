"""Acks, modals and shedding: sambot as `sambot run` serves it, against a bare AsyncApp.

Issue 8. Three processes, besides this load generator, all reached over 127.0.0.1:

- sambot: `python -m sambot run --no-scheduler`, exactly what is deployed (it listens
  on every interface, as deployed; the load reaches it over 127.0.0.1), on a migrated
  temporary SQLite database seeded with workspace T0001, an account linked to #acme,
  stakeholders and open actions for the user.
- bare, the floor: an `AsyncApp` behind Bolt's `AsyncSlackRequestHandler` (Starlette)
  under uvicorn, whose `/touchpoint` and `/action` listeners only `await ack()`.
- the Slack stand-in (`sambot.localslack`, via bench/standin_process.py), so that its CPU
  is neither the app's nor the load generator's.

One clock: the load generator notes `time.monotonic()` when it sends each request, and
the stand-in notes it when a `views.open` reaches it. Python's monotonic clock is Linux's
CLOCK_MONOTONIC, one clock for every process of the machine, so the two compare. Each
request carries its own trigger id (issued the moment it is sent, living 3 s, as at
Slack: the stand-in refuses it afterwards with `expired_trigger_id`) and its own
response_url, which match the stand-in's records to the request.

Requests are slash commands shaped and signed by `SlackRequests` as they are sent, over
keep-alive connections (a new one whenever all are busy). Time-to-ack is the HTTP
response time. Percentiles use the nearest rank; a request never answered counts as
infinitely late. Phases, per app, both apps alive throughout:

1. Capacity: closed loop at concurrency 20 for `--capacity-seconds` (after a short
   warm-up), `/touchpoint` (opens the modal) and `/action list`. "Served" counts the
   requests whose work was done (the modal opened, the list posted to the response_url)
   per second, from the first send to the last ack or work done; the goal compares
   sambot's served/s with the bare app's acks/s.
2. Slack's pace: `--rate` requests/s sent on a fixed schedule, whatever the answers'
   pace, for `--rate-seconds`. Ack p50/p99 and the ratio to the bare app's p99; for
   `/touchpoint`, sent to `views.open` received, p50/p99, and how many modals opened.
3. Overload: `--overload-rate` `/touchpoint` per second for `--overload-seconds`. Every
   request is classed: the modal opened; or the user was told, ephemerally (the ack's
   body, or a post to its response_url), that sambot is busy or that Slack's window
   closed, and to run it again; or neither. Then `--recovery-seconds` at `--rate`:
   "as fast as before" when its ack and `views.open` p99 are at most 1.25x phase 2's
   plus 10 ms, with as many modals opened.
4. CPU per request: the server process's utime + stime (/proc/PID/stat) over each
   phase, until its work after the ack is done, over the phase's requests. Peak RSS:
   VmHWM from /proc/PID/status.

Between phases the benchmark waits until the stand-in has seen no call for a while, so
work left over from one phase does not slow the next. The report ends with the limits of
the run: where the load generator fell behind its schedule, or the bare app itself could
not keep up (on a busy machine), the figures say more about the machine than the app.

    .venv/bin/python bench/ack_bench.py [--runs 3] [--concurrency 20]
        [--capacity-seconds 3] [--rate 300] [--rate-seconds 3]
        [--overload-rate 600] [--overload-seconds 2] [--recovery-seconds 3]

Missed goals are reported, not fatal. Exit status 1 when requests failed outright: no
HTTP answer at all, an HTTP error outside the overload phase, a server that died, or
Block Kit the stand-in refused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
for path in (str(ROOT), str(SCRIPT.parent)):
    if path not in sys.path:
        sys.path.insert(0, path)

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
TEAM_ID = "T0001"
USER, USER_NAME, USER_REAL_NAME = "UDANA", "dana", "Dana Scully"
CHANNEL, CHANNEL_NAME = "CACME", "acme"
EVENTS_PATH = "/slack/events"
TOUCHPOINT, ACTION_LIST = ("/touchpoint", ""), ("/action", "list")
COMMANDS = [TOUCHPOINT, ACTION_LIST]
TRIGGER_TTL = 3.0  # seconds a trigger_id lives at Slack
SLACK_ACK_TIMEOUT = 3.0  # Slack shows the user an error when the ack takes longer
CLIENT_TIMEOUT = 30.0  # the load generator gives up on an answer after this long
MAX_RATE = 5000  # requests/s no server here reaches in a closed loop
QUIET, IDLE_CPU = 1.0, 0.05  # the work after the ack is done (wait_for_quiet)
# Beyond these, the machine rather than the app set the figures (see instrument_notes).
SENDER_LAG_LIMIT_MS = 10.0
FLOOR_LIMIT_MS = 100.0  # seconds without a stand-in call that end a phase's work after the ack

# Issue 8's goals.
CAPACITY_RATIO_GOAL = 0.35
ACK_P99_RATIO_GOAL = 1.5
VIEWS_OPEN_P99_GOAL_MS = 100.0
OVERLOAD_MAX_ACK_GOAL = 1.0  # seconds
# "As fast as before": p99 after the overload at most 1.25x phase 2's, plus 10 ms for noise.
RECOVERY_RATIO, RECOVERY_SLACK_MS = 1.25, 10.0

# What counts as telling the user: busy, or Slack's window closed, and to run it again.
TOLD_REASON = re.compile(r"busy|window|expired|too long|timed out|in time", re.IGNORECASE)
TOLD_AGAIN = re.compile(r"again", re.IGNORECASE)


def is_told(text: str, response_type: str) -> bool:
    return (
        response_type != "in_channel"
        and bool(TOLD_REASON.search(text))
        and bool(TOLD_AGAIN.search(text))
    )


def label(command: tuple[str, str]) -> str:
    return " ".join(part for part in command if part)


# -- the servers ------------------------------------------------------------------------


def serve_bare(port: int, api_url: str) -> None:
    """The floor: async Bolt, async Starlette adapter, listeners that only ack."""
    import uvicorn
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
    )

    async def ack_only(ack):
        await ack()

    for command, _ in COMMANDS:
        app.command(command)(ack_only)
    handler = AsyncSlackRequestHandler(app)

    async def events(request):
        return await handler.handle(request)

    async def health(_request):
        return JSONResponse({"ok": True})

    web = Starlette(
        routes=[
            Route(EVENTS_PATH, events, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )
    gc.freeze()  # as sambot's serve_http does, so the floor is no slower than it need be
    uvicorn.run(web, host="127.0.0.1", port=port, log_level="info", access_log=False)


def seed(database_url: str, *, stakeholders_n: int = 5, actions_n: int = 8) -> None:
    """Migrate, then a workspace, an account linked to #acme, stakeholders, open actions."""
    from datetime import date, timedelta

    from sambot import migrate
    from sambot.accounts import service as accounts
    from sambot.actions import service as actions
    from sambot.db import Database
    from sambot.stakeholders import service as stakeholders
    from sambot.workspaces import service as workspaces

    migrate.upgrade(database_url)
    database = Database(database_url)
    today = date.today()
    with database.session() as session:
        workspace = workspaces.ensure(session, team_id=TEAM_ID, timezone="UTC")
        account = accounts.create(
            session,
            workspace_id=workspace.id,
            data={"name": "Acme", "owner_id": USER, "channel_id": CHANNEL},
        )
        accounts.create(
            session, workspace_id=workspace.id, data={"name": "Globex", "owner_id": USER}
        )
        for i in range(stakeholders_n):
            stakeholders.create(
                session,
                workspace_id=workspace.id,
                account_id=account.id,
                data={"name": f"Stakeholder {i}", "role": "economic_buyer", "power": 1 + i % 5},
            )
        for i in range(actions_n):  # the first three overdue, as if created a month ago
            actions.create(
                session,
                workspace_id=workspace.id,
                account_id=account.id,
                created_by=USER,
                today=today - timedelta(days=30),
                data={
                    "title": f"Follow up {i}",
                    "owner_id": USER,
                    "due_date": today + timedelta(days=i - 3),
                },
            )
    database.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (several web processes under uvicorn's supervisor)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry.name}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                parents.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo.extend(parents.get(tree[-1], []))
    return tree


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its descendants, all their threads."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{member}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICK
    return total


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory of the process and its descendants, added up."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{member}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
    return total


@dataclass
class Child:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up:\n{self.log_tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer /healthz in {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def spawn(name: str, workdir: Path, command: list[str], env: dict[str, str]) -> Child:
    log = workdir / f"{name}.log"
    port = int(env["PORT"])
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,  # no stray .env from the caller's directory
            env=env,
        )
    return Child(name, port, process, log)


def start_servers(
    workdir: Path,
    api_url: str,
    database_url: str,
    web_processes: int = 1,
    work_processes: int = 0,
    work_threads: int | None = None,
) -> dict[str, Child]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SAMBOT_")) and k not in ("DATABASE_URL", "PORT")
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    bare_port = free_port()
    bare = spawn(
        "bare",
        workdir,
        [sys.executable, str(SCRIPT), "--serve-bare", str(bare_port), api_url],
        {**env, "PORT": str(bare_port)},
    )
    sambot_env = {
        **env,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "SAMBOT_WEB_PROCESSES": str(web_processes),
        "SAMBOT_WORK_PROCESSES": str(work_processes),
        **({"SAMBOT_WORK_THREADS": str(work_threads)} if work_threads else {}),
    }
    sambot = spawn(
        "sambot", workdir, [sys.executable, "-m", "sambot", "run", "--no-scheduler"], sambot_env
    )
    servers = {"bare": bare, "sambot": sambot}
    try:
        for child in servers.values():
            child.wait_healthy()
    except BaseException:
        for child in servers.values():
            child.stop()
        raise
    return servers


# -- load -------------------------------------------------------------------------------


class Connection:
    """A minimal keep-alive HTTP/1.1 client: little work on this side of the measurement."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.strip()
        if "content-length" in fields:
            content = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            content = b""
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                content += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
        else:
            content = await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class Commands:
    """Slash commands as `SlackRequests` shapes and signs them, built at the moment of
    sending: each with a fresh trigger id and a response_url the stand-in issued."""

    def __init__(self, response_urls: list[str]) -> None:
        from standin_process import trigger_id

        from sambot.localslack.requests import FORM, SlackRequests

        urls = iter(response_urls)

        class Slack:  # what SlackRequests asks the stand-in for, answered on this side
            bot_user_id = "UBOT"

            def user(self, user_id):
                return {"name": USER_NAME} if user_id == USER else None

            def channel(self, channel_id):
                return {"name": CHANNEL_NAME} if channel_id == CHANNEL else None

            def new_response_url(self, channel, user, message_ts=None, team=None):
                return next(urls)

            def issue_trigger_id(self, view_id=None):
                return trigger_id(time.monotonic())

        class Unsent(SlackRequests):
            def _deliver_command(self, form, **_options):
                body = urlencode(form)
                headers = {
                    "Content-Type": FORM,
                    "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                    **self.signed_headers(body),
                }
                return body.encode(), headers, form["trigger_id"], form["response_url"]

        self._requests = Unsent("http://unused", SIGNING_SECRET, Slack(), TEAM_ID)  # type: ignore[arg-type]
        self._requests.close()  # its HTTP client is never used

    def make(self, command: tuple[str, str]):
        return self._requests.command(*command, user_id=USER, channel_id=CHANNEL)


@dataclass
class Sample:
    sent: float  # time.monotonic()
    acked: float  # math.inf: never answered
    status: int  # 0: no HTTP answer
    trigger_id: str
    response_url: str
    ack_text: str = ""
    ack_response_type: str = ""
    scheduled: float | None = None  # open loop: when it was due

    @property
    def ack_ms(self) -> float:
        return (self.acked - self.sent) * 1000


async def send(connection: Connection, commands: Commands, command, scheduled=None) -> Sample:
    try:
        await asyncio.wait_for(connection.connect(), CLIENT_TIMEOUT)
    except (OSError, TimeoutError):
        await connection.close()
        now = time.monotonic()
        return Sample(now, math.inf, 0, "", "", scheduled=scheduled)
    body, headers, trigger, response_url = commands.make(command)
    sent = time.monotonic()
    sample = Sample(sent, math.inf, 0, trigger, response_url, scheduled=scheduled)
    try:
        status, content = await asyncio.wait_for(
            connection.post(EVENTS_PATH, body, headers), CLIENT_TIMEOUT
        )
    except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
        await connection.close()
        return sample
    sample.acked, sample.status = time.monotonic(), status
    if content.strip().startswith(b"{"):
        with contextlib.suppress(ValueError):
            answer = json.loads(content)
            sample.ack_text = str(answer.get("text") or "")
            sample.ack_response_type = str(answer.get("response_type") or "")
    elif status == 200 and content.strip():
        sample.ack_text = content.decode(errors="replace")
    return sample


async def closed_loop(port: int, commands: Commands, command, concurrency: int, seconds: float):
    """`concurrency` requests in flight until `seconds` have passed."""
    samples: list[Sample] = []
    end = time.monotonic() + seconds

    async def worker() -> None:
        connection = Connection(port)
        try:
            while time.monotonic() < end:
                samples.append(await send(connection, commands, command))
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples


async def open_loop(port: int, commands: Commands, command, rate: float, seconds: float):
    """`rate` requests sent per second on a fixed schedule, whatever the answers' pace."""
    samples: list[Sample] = []
    idle: list[Connection] = []

    async def one(scheduled: float) -> None:
        connection = idle.pop() if idle else Connection(port)
        samples.append(await send(connection, commands, command, scheduled))
        idle.append(connection)

    start = time.monotonic() + 0.01
    tasks = []
    for i in range(round(rate * seconds)):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    for connection in idle:
        await connection.close()
    return samples


# -- phases -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else math.nan


@dataclass
class Phase:
    """One app, one command, one load: what was sent and what reached the stand-in."""

    name: str  # capacity, rate, overload, recovery
    app: str
    command: tuple[str, str]
    load: str
    samples: list[Sample]
    cpu: float  # server CPU seconds over the phase, work after the ack included
    # CPU seconds of the load generator (this process) and of the stand-in, same span:
    # on a 2-core machine, what they take is not the server's.
    generator_cpu: float = 0.0
    standin_cpu: float = 0.0
    views_open: dict[str, object] = field(default_factory=dict)  # trigger id -> Record
    posts: dict[str, list] = field(default_factory=dict)  # response_url -> Records
    done_at: float = 0.0  # the last ack or call to the stand-in
    loadavg: float = math.nan  # the machine's 1-minute load average as the phase ended

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def first_sent(self) -> float:
        return min(s.sent for s in self.samples)

    def ack(self, q: float) -> float:
        return percentile([s.ack_ms for s in self.samples], q)

    @property
    def ack_max(self) -> float:
        return max(s.ack_ms for s in self.samples)

    def late(self, seconds: float) -> int:
        return sum(1 for s in self.samples if s.ack_ms > seconds * 1000)

    @property
    def no_answer(self) -> int:
        return sum(1 for s in self.samples if s.status == 0)

    @property
    def http_errors(self) -> int:
        return sum(1 for s in self.samples if s.status not in (0, 200))

    def opened(self, sample: Sample) -> bool:
        record = self.views_open.get(sample.trigger_id)
        return record is not None and record.ok  # type: ignore[attr-defined]

    def views_open_ms(self, sample: Sample) -> float:
        record = self.views_open.get(sample.trigger_id)
        return math.inf if record is None else (record.received - sample.sent) * 1000  # type: ignore[attr-defined]

    def told(self, sample: Sample) -> str:
        """ "ack" or "response_url" when the user was told busy/expired, else ""."""
        if sample.status == 200 and is_told(sample.ack_text, sample.ack_response_type):
            return "ack"
        for post in self.posts.get(sample.response_url, []):
            if post.ok and is_told(post.text, post.response_type):
                return "response_url"
        return ""

    def listed(self, sample: Sample) -> bool:
        """The list reached the user: an answer to its response_url other than "busy"."""
        posts = self.posts.get(sample.response_url, [])
        return any(p.ok and not is_told(p.text, p.response_type) for p in posts)

    def served(self, sample: Sample) -> bool:
        if sample.status != 200:
            return False
        if self.app == "bare":
            return True
        return self.opened(sample) if self.command == TOUCHPOINT else self.listed(sample)

    @property
    def served_count(self) -> int:
        return sum(1 for s in self.samples if self.served(s))

    @property
    def acks_per_second(self) -> float:
        answered = [s for s in self.samples if s.status == 200]
        span = max(s.acked for s in answered) - self.first_sent if answered else math.nan
        return len(answered) / span

    @property
    def served_per_second(self) -> float:
        return self.served_count / (self.done_at - self.first_sent)

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.n * 1000

    @property
    def cores_used(self) -> float:
        """Server, generator and stand-in CPU over the phase's span, in cores."""
        span = self.done_at - self.first_sent
        return (self.cpu + self.generator_cpu + self.standin_cpu) / span if span > 0 else math.nan

    def views_open_p(self, q: float) -> float:
        return percentile([self.views_open_ms(s) for s in self.samples], q)

    @property
    def expired_calls(self) -> int:
        """views.open calls made with a trigger id certainly expired (older than 3 s)."""
        return sum(1 for s in self.samples if TRIGGER_TTL * 1000 < self.views_open_ms(s) < math.inf)

    @property
    def sender_lag_ms(self) -> float:
        lags = [(s.sent - s.scheduled) * 1000 for s in self.samples if s.scheduled is not None]
        return percentile(lags, 0.99) if lags else math.nan


def wait_for_quiet(standin, pid: int, limit: float = 90.0) -> None:
    """Wait until, for QUIET seconds, the stand-in has had no call and the server has
    used under IDLE_CPU of a core: its work after the ack is done."""
    deadline = time.monotonic() + limit
    count, cpu, since = standin.count(), cpu_seconds(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now_count, now_cpu, now = standin.count(), cpu_seconds(pid), time.monotonic()
        if now_count != count or now_cpu - cpu > IDLE_CPU * (now - since):
            count, cpu, since = now_count, now_cpu, now
        elif now - since >= QUIET:
            return


def run_phase(name, standin, servers, app, command, load_text, run, urls, warmup=None) -> Phase:
    """`run(commands, port)` sends the load; `urls`: at least as many as it sends."""
    child = servers[app]
    if warmup is not None:
        standin.reset()
        asyncio.run(warmup(Commands(standin.response_urls(urls, CHANNEL, USER)), child.port))
        wait_for_quiet(standin, child.process.pid)
    standin.reset()
    commands = Commands(standin.response_urls(urls, CHANNEL, USER))
    cpu_before = cpu_seconds(child.process.pid)
    generator_before, standin_before = time.process_time(), cpu_seconds(standin.pid)
    gc.collect()
    gc.disable()  # no collector pauses on the sending side while timing
    try:
        samples = asyncio.run(run(commands, child.port))
    finally:
        gc.enable()
    wait_for_quiet(standin, child.process.pid)
    cpu = cpu_seconds(child.process.pid) - cpu_before
    phase = Phase(name, app, command, load_text, samples, cpu)
    phase.generator_cpu = time.process_time() - generator_before
    phase.standin_cpu = cpu_seconds(standin.pid) - standin_before
    for record in standin.records():
        if record.method == "views.open":
            phase.views_open[record.trigger_id] = record
        elif record.method == "response_url":
            phase.posts.setdefault(record.response_url, []).append(record)
    answered = [s.acked for s in samples if s.acked < math.inf]
    follow_ups = [r.received for r in phase.views_open.values() if r.ok]  # type: ignore[attr-defined]
    follow_ups += [p.received for ps in phase.posts.values() for p in ps]
    phase.done_at = max(answered + follow_ups, default=math.nan)
    phase.loadavg = float(read_loadavg().split()[0])
    if child.process.poll() is not None:
        raise RuntimeError(f"{app} died during {name}:\n{child.log_tail()}")
    ms = f"ack p50 {phase.ack(0.5):7.1f} ms, p99 {phase.ack(0.99):8.1f} ms"
    print(
        f"  {name:9} {app:6} {label(command):12} {load_text:22} n {phase.n:5}  {ms}  "
        f"served {phase.served_count}  cpu {phase.cpu_ms:.2f} ms/req  load {phase.loadavg:.1f}",
        flush=True,
    )
    return phase


def all_phases(args, standin, servers: dict[str, Child]) -> list[Phase]:
    """Phases 1 to 3, each for the bare app then sambot."""
    phases = []
    c, capacity_s = args.concurrency, args.capacity_seconds
    for command in COMMANDS:
        for app in ("bare", "sambot"):
            phase = run_phase(
                "capacity",
                standin,
                servers,
                app,
                command,
                f"concurrency {c}, {capacity_s:g} s",
                lambda cmds, port, k=command: closed_loop(port, cmds, k, c, capacity_s),
                urls=round(MAX_RATE * capacity_s),  # more than any server here answers
                warmup=lambda cmds, port, k=command: closed_loop(
                    port, cmds, k, c, args.warmup_seconds
                ),
            )
            phases.append(phase)
    if args.capacity_only:
        return phases
    open_loops = [
        ("rate", COMMANDS, args.rate, args.rate_seconds),
        ("overload", [TOUCHPOINT], args.overload_rate, args.overload_seconds),
        ("recovery", [TOUCHPOINT], args.rate, args.recovery_seconds or args.rate_seconds),
    ]
    for name, commands, rate, seconds in open_loops:
        for command in commands:
            for app in ("bare", "sambot"):
                phase = run_phase(
                    name,
                    standin,
                    servers,
                    app,
                    command,
                    f"{rate:g}/s for {seconds:g} s",
                    lambda cmds, port, k=command, r=rate, s=seconds: open_loop(port, cmds, k, r, s),
                    urls=round(rate * seconds) + 1,
                )
                phases.append(phase)
    return phases


def one_run(args, number: int) -> tuple[list[Phase], dict]:
    """Fresh stand-in, database and servers; all phases; then the peak RSS of each."""
    from standin_process import StandInProcess

    servers: dict[str, Child] = {}
    with contextlib.ExitStack() as stack:
        standin = StandInProcess(
            BOT_TOKEN, TEAM_ID, [(USER, USER_NAME, USER_REAL_NAME)], [(CHANNEL, CHANNEL_NAME)]
        )
        stack.callback(standin.stop)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ack-bench-")))
        database_url = f"sqlite:///{workdir / 'sambot.db'}"
        seed(database_url)
        try:
            standin.set_latency(args.slack_latency)
            servers = start_servers(
                workdir,
                standin.base_url,
                database_url,
                args.web_processes,
                args.work_processes,
                args.work_threads,
            )
            print(f"run {number}: loadavg {read_loadavg()}", flush=True)
            phases = all_phases(args, standin, servers)
            resources = {app: peak_rss_mb(child.process.pid) for app, child in servers.items()}
            resources["stand-in"] = peak_rss_mb(standin.pid)
            resources["violations"] = standin.violations()
        except BaseException:
            for child in servers.values():
                print(f"--- {child.name} log ---\n{child.log_tail()}", file=sys.stderr)
            raise
        finally:
            for child in servers.values():
                child.stop()
    return phases, resources


def read_loadavg() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


# -- report -----------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "never" if value == math.inf else f"{value:.{digits}f}"


def find(phases: list[Phase], name: str, app: str, command) -> Phase:
    return next(p for p in phases if (p.name, p.app, p.command) == (name, app, command))


def capacity_table(phases: list[Phase]) -> str:
    rows = [
        "| command | app | requests | acks/s | served/s | served/s ÷ bare acks/s | ack p50 (ms) "
        "| ack p99 (ms) | told busy | CPU/request (ms) | generator CPU/request (ms) "
        "| stand-in CPU/request (ms) | cores used, all three | loadavg |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for command in COMMANDS:
        bare = find(phases, "capacity", "bare", command)
        for app in ("bare", "sambot"):
            p = find(phases, "capacity", app, command)
            told = sum(1 for s in p.samples if p.told(s))
            rows.append(
                f"| `{label(command)}` | {app} | {p.n} | {p.acks_per_second:.0f} "
                f"| {p.served_per_second:.0f} | {p.served_per_second / bare.acks_per_second:.2f} "
                f"| {fmt(p.ack(0.5))} | {fmt(p.ack(0.99))} | {told} | {p.cpu_ms:.2f} "
                f"| {p.generator_cpu / p.n * 1000:.2f} | {p.standin_cpu / p.n * 1000:.2f} "
                f"| {p.cores_used:.2f} | {p.loadavg:.1f} |"
            )
    return "\n".join(rows)


def rate_table(phases: list[Phase], name: str) -> str:
    rows = [
        "| command | app | load | requests | ack p50 (ms) | ack p99 (ms) | ÷ bare p99 "
        "| views.open p50 (ms) | views.open p99 (ms) | work done | told busy "
        "| sender lag p99 (ms) | CPU/request (ms) | loadavg |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in (p for p in phases if p.name == name):
        bare = find(phases, name, "bare", p.command)
        views = ["-", "-"]
        done = "-"
        if p.app == "sambot":
            done = f"{p.served_count}/{p.n}"
            if p.command == TOUCHPOINT:
                views = [fmt(p.views_open_p(0.5)), fmt(p.views_open_p(0.99))]
        told = sum(1 for s in p.samples if p.told(s))
        rows.append(
            f"| `{label(p.command)}` | {p.app} | {p.load} | {p.n} | {fmt(p.ack(0.5))} "
            f"| {fmt(p.ack(0.99))} | {p.ack(0.99) / bare.ack(0.99):.2f} | {views[0]} "
            f"| {views[1]} | {done} | {told} | {p.sender_lag_ms:.1f} | {p.cpu_ms:.2f} "
            f"| {p.loadavg:.1f} |"
        )
    return "\n".join(rows)


def overload_counts(p: Phase) -> dict[str, int]:
    counts = defaultdict(int)
    for s in p.samples:
        if p.app == "bare":
            counts["acked" if s.status == 200 else "neither"] += 1
        elif p.opened(s):
            counts["modal"] += 1
        elif where := p.told(s):
            counts[f"told ({where})"] += 1
        else:
            counts["neither"] += 1
    return counts


def overload_table(phases: list[Phase]) -> str:
    rows = [
        "| app | load | requests | ack p50 (ms) | ack p99 (ms) | ack max (ms) | acks > 1 s "
        "| acks > 3 s | HTTP errors | no answer | modal opened | told in ack "
        "| told via response_url | neither | views.open on expired trigger | CPU/request (ms) "
        "| loadavg |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in (p for p in phases if p.name == "overload"):
        c = overload_counts(p)
        rows.append(
            f"| {p.app} | {p.load} | {p.n} | {fmt(p.ack(0.5))} | {fmt(p.ack(0.99))} "
            f"| {fmt(p.ack_max)} | {p.late(1)} | {p.late(SLACK_ACK_TIMEOUT)} | {p.http_errors} "
            f"| {p.no_answer} | {c['modal'] if p.app == 'sambot' else '-'} | {c['told (ack)']} "
            f"| {c['told (response_url)']} | {c['neither']} | {p.expired_calls} "
            f"| {p.cpu_ms:.2f} | {p.loadavg:.1f} |"
        )
    return "\n".join(rows)


def resources_table(resources: dict) -> str:
    rows = ["| process | peak RSS (MB) |", "|---|---:|"]
    rows += [f"| {k} | {v:.0f} |" for k, v in resources.items() if k != "violations"]
    return "\n".join(rows)


@dataclass
class Goal:
    text: str
    figure: str
    holds: bool
    value: float = math.nan  # the number the ranges table shows
    digits: int = 2


def capacity_only(phases: list[Phase]) -> bool:
    """A run with `--capacity-only`: phase 1 alone."""
    return all(p.name == "capacity" for p in phases)


def goals(phases: list[Phase]) -> list[Goal]:
    out = []
    for command in COMMANDS:
        bare, sambot = (find(phases, "capacity", app, command) for app in ("bare", "sambot"))
        ratio = sambot.served_per_second / bare.acks_per_second
        out.append(
            Goal(
                f"1. capacity `{label(command)}`, served/s ÷ bare acks/s >= {CAPACITY_RATIO_GOAL}",
                f"{ratio:.2f} ({sambot.served_per_second:.0f} / {bare.acks_per_second:.0f})",
                ratio >= CAPACITY_RATIO_GOAL,
                ratio,
            )
        )
    if capacity_only(phases):
        return out
    for command in COMMANDS:
        bare, sambot = (find(phases, "rate", app, command) for app in ("bare", "sambot"))
        ratio = sambot.ack(0.99) / bare.ack(0.99)
        out.append(
            Goal(
                f"2. {sambot.load} `{label(command)}`, ack p99 <= {ACK_P99_RATIO_GOAL}x bare",
                f"{ratio:.2f}x ({fmt(sambot.ack(0.99))} / {fmt(bare.ack(0.99))} ms)",
                ratio <= ACK_P99_RATIO_GOAL,
                ratio,
            )
        )
    touch = find(phases, "rate", "sambot", TOUCHPOINT)
    p99 = touch.views_open_p(0.99)
    out.append(
        Goal(
            f"2. {touch.load} `/touchpoint`, sent to views.open p99 <= "
            f"{VIEWS_OPEN_P99_GOAL_MS:.0f} ms",
            f"{fmt(p99)} ms" if p99 < math.inf else "some never opened",
            p99 <= VIEWS_OPEN_P99_GOAL_MS,
            p99,
            digits=0,
        )
    )
    opened = sum(1 for s in touch.samples if touch.opened(s))
    out.append(
        Goal(
            f"2. {touch.load} `/touchpoint`, every modal opened",
            f"{opened}/{touch.n}",
            opened == touch.n,
            opened,
            digits=0,
        )
    )
    over = find(phases, "overload", "sambot", TOUCHPOINT)
    counts = overload_counts(over)
    out += [
        Goal(
            f"3. {over.load} `/touchpoint`, no ack later than {OVERLOAD_MAX_ACK_GOAL:g} s",
            f"max {fmt(over.ack_max / 1000, 2)} s, {over.late(OVERLOAD_MAX_ACK_GOAL)} later",
            over.ack_max <= OVERLOAD_MAX_ACK_GOAL * 1000,
            over.ack_max / 1000,
        ),
        Goal(
            "3. overload, no HTTP error",
            f"{over.http_errors} HTTP errors, {over.no_answer} unanswered",
            over.http_errors + over.no_answer == 0,
            over.http_errors + over.no_answer,
            digits=0,
        ),
        Goal(
            "3. overload, every user gets the modal or is told (busy / window closed, again)",
            f"{counts['modal']} modal, {counts['told (ack)']} told in the ack, "
            f"{counts['told (response_url)']} via response_url, {counts['neither']} neither",
            counts["neither"] == 0,
            counts["neither"],
            digits=0,
        ),
        Goal(
            "3. overload, no views.open with a trigger older than 3 s",
            f"{over.expired_calls}",
            over.expired_calls == 0,
            over.expired_calls,
            digits=0,
        ),
    ]
    before = find(phases, "rate", "sambot", TOUCHPOINT)
    after = find(phases, "recovery", "sambot", TOUCHPOINT)
    ack_ratio = after.ack(0.99) / before.ack(0.99)

    def as_fast(after_ms: float, before_ms: float) -> bool:
        return after_ms <= RECOVERY_RATIO * before_ms + RECOVERY_SLACK_MS

    fast = as_fast(after.ack(0.99), before.ack(0.99))
    fast &= as_fast(after.views_open_p(0.99), before.views_open_p(0.99))
    opened_before = sum(1 for s in before.samples if before.opened(s)) / before.n
    opened_after = sum(1 for s in after.samples if after.opened(s)) / after.n
    out.append(
        Goal(
            f"3. afterwards as fast as before: `/touchpoint` at {after.load}, ack and "
            f"views.open p99 <= {RECOVERY_RATIO}x phase 2's + {RECOVERY_SLACK_MS:.0f} ms",
            f"ack {fmt(after.ack(0.99))} vs {fmt(before.ack(0.99))} ms, views.open "
            f"{fmt(after.views_open_p(0.99))} vs {fmt(before.views_open_p(0.99))} ms, "
            f"modals opened {opened_after:.0%} vs {opened_before:.0%}",
            fast and opened_after >= opened_before - 0.01,
            ack_ratio,
        )
    )
    return out


def report(phases: list[Phase], resources: dict) -> tuple[str, list[Goal]]:
    results = goals(phases)
    lines = ["Capacity (closed loop):", "", capacity_table(phases), ""]
    if not capacity_only(phases):
        lines += [
            "Slack's pace (open loop):",
            "",
            rate_table(phases, "rate"),
            "",
            "Overload:",
            "",
            overload_table(phases),
            "",
            "After the overload:",
            "",
            rate_table(phases, "recovery"),
            "",
        ]
    lines += [resources_table(resources), "", "| goal | figure | verdict |", "|---|---|---|"]
    lines += [f"| {g.text} | {g.figure} | {'holds' if g.holds else 'MISSED'} |" for g in results]
    notes = instrument_notes(phases)
    if notes:
        lines += ["", "Limits of this run (the machine, not the app):"]
        lines += [f"- {note}" for note in notes]
    texts = sorted(
        {s.ack_text for p in phases for s in p.samples if p.told(s) == "ack"}
        | {r.text for p in phases for rs in p.posts.values() for r in rs if is_told(r.text, "")}
    )
    if texts:
        lines += ["", "Messages counted as telling the user:"]
        lines += [f"- {text[:200]!r}" for text in texts[:5]]
    return "\n".join(lines), results


def ranges_table(all_goals: list[list[Goal]]) -> str:
    rows = ["| goal | runs | verdicts |", "|---|---|---|"]
    for i, goal in enumerate(all_goals[0]):
        values = [run[i].value for run in all_goals]
        verdicts = ", ".join("holds" if run[i].holds else "missed" for run in all_goals)
        low, high = fmt(min(values), goal.digits), fmt(max(values), goal.digits)
        rows.append(f"| {goal.text} | {low}-{high} | {verdicts} |")
    return "\n".join(rows)


def instrument_notes(phases: list[Phase]) -> list[str]:
    """Where this machine, not the app, limited a figure (a busy, shared machine)."""
    notes = []
    for p in phases:
        if p.sender_lag_ms > SENDER_LAG_LIMIT_MS:
            notes.append(
                f"{p.name} {p.app} `{label(p.command)}`: the load generator sent up to "
                f"{p.sender_lag_ms:.0f} ms (p99) behind its schedule"
            )
        if p.app == "bare" and p.name != "capacity" and p.ack(0.99) > FLOOR_LIMIT_MS:
            notes.append(
                f"{p.name} `{label(p.command)}`: the bare app's own ack p99 was "
                f"{fmt(p.ack(0.99))} ms at {p.load}: the floor was saturated, ratios to it "
                "say little"
            )
    return notes


def failed_outright(phases: list[Phase], resources: dict) -> list[str]:
    problems = []
    for p in phases:
        if p.no_answer:
            problems.append(f"{p.name} {p.app} {label(p.command)}: {p.no_answer} not answered")
        if p.http_errors and p.name != "overload":
            problems.append(f"{p.name} {p.app} {label(p.command)}: {p.http_errors} HTTP errors")
    if resources.get("violations"):
        problems.append(f"Block Kit the stand-in refused: {resources['violations'][:3]}")
    return problems


# -- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 4 and sys.argv[1] == "--serve-bare":
        serve_bare(int(sys.argv[2]), sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=1, help="whole runs, fresh servers each")
    # sambot as README's "Serving many requests" advises on a 2-core machine.
    parser.add_argument(
        "--web-processes",
        type=int,
        default=1,
        help="sambot's SAMBOT_WEB_PROCESSES (the bare app is one process)",
    )
    parser.add_argument(
        "--work-processes", type=int, default=2, help="sambot's SAMBOT_WORK_PROCESSES"
    )
    parser.add_argument("--work-threads", type=int, default=8, help="sambot's SAMBOT_WORK_THREADS")
    parser.add_argument(
        "--slack-latency",
        type=float,
        default=0.0,
        help="seconds the stand-in waits before each answer (Slack's own is 50-300 ms)",
    )
    parser.add_argument(
        "--capacity-only", action="store_true", help="phase 1 alone (to compare one change)"
    )
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup-seconds", type=float, default=0.5)
    parser.add_argument("--capacity-seconds", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--rate-seconds", type=float, default=3.0)
    parser.add_argument("--overload-rate", type=float, default=600.0)
    parser.add_argument("--overload-seconds", type=float, default=2.0)
    parser.add_argument(
        "--recovery-seconds", type=float, help="the run after the overload (--rate-seconds)"
    )
    args = parser.parse_args(argv)

    # SIGTERM unwinds like Ctrl-C, so the `finally` blocks stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, loadavg {read_loadavg()}",
        flush=True,
    )
    all_goals, problems = [], []
    for number in range(1, args.runs + 1):
        phases, resources = one_run(args, number)
        text, results = report(phases, resources)
        print(f"\nRun {number} (loadavg {read_loadavg()} at the end):\n\n{text}\n", flush=True)
        all_goals.append(results)
        problems += failed_outright(phases, resources)
    if args.runs > 1:
        print(f"Ranges over {args.runs} runs:\n\n{ranges_table(all_goals)}\n")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
