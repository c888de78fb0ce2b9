"""Time-to-ack: sambot as `sambot run` serves it, against the fastest bare Bolt app.

Issue 3, "Speed". Two servers, each its own process under uvicorn on 127.0.0.1:

- sambot: `serve_http(build_app(settings, database))`, which is what `sambot run` calls
  (`build_web_app` under uvicorn, after `gc.freeze()`), on a migrated temporary SQLite
  database seeded with workspace T0001, an account linked to #acme, stakeholders and open
  actions for the user; its Web API base URL is the local Slack stand-in.
- bare: an `AsyncApp` behind Bolt's `AsyncSlackRequestHandler` (Starlette) under uvicorn,
  whose `/touchpoint` and `/action` listeners only `await ack()`.

The Slack stand-in runs in this process, so the moment it answers `views.open` and the
moment a request was sent are both `time.monotonic()` on the same clock. Requests are
slash commands shaped and signed by `SlackRequests` (prepared before each run), sent over
keep-alive connections; time-to-ack is each request's HTTP response time.

Per app and command: 40 warm-up requests, then 400 measured at concurrency 20 (closed
loop, as the issue asks; the targets are judged on these), then 200 sent at 50 per second
whatever the answers' pace (open loop: latency below saturation, for context).

    .venv/bin/python bench/ack_bench.py [--requests 400] [--warmup 40] [--concurrency 20]
                                        [--rate 50] [--rate-requests 200]

Targets: sambot's p99 time-to-ack within 1.2x of the bare app's; `views.open` reached
within 100 ms of sending `/touchpoint`, at p99. Exit status 1 when a request failed or
the app's work after the ack went missing, 0 otherwise (a missed target is reported).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
TEAM_ID = "T0001"
USER, CHANNEL = "UDANA", "CACME"
EVENTS_PATH = "/slack/events"
ACK_RATIO_TARGET = 1.2
VIEWS_OPEN_TARGET_MS = 100.0
TRIGGER_TTL = 3.0  # seconds a trigger_id stays valid at Slack
COMMANDS = [("/touchpoint", ""), ("/action", "list")]


# -- the two servers (run as child processes: `ack_bench.py --serve sambot|bare`) ------------


def serve_sambot(port: int, api_url: str, database_url: str) -> None:
    """What `sambot run` does for HTTP (without the scheduler), bound to loopback."""
    from sambot.config import load_settings
    from sambot.db import Database
    from sambot.slack.app import build_app
    from sambot.slack.server import serve_http

    settings = load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=api_url,
        database_url=database_url,
        port=port,
    )
    database = Database(settings.database_url)
    app = build_app(settings, database)
    serve_http(app, settings.slack_signing_secret, host="127.0.0.1", port=settings.port)


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


# -- set-up -------------------------------------------------------------------------------


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


def spawn(name: str, workdir: Path, *args: str) -> Child:
    port = free_port()
    log = workdir / f"{name}.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(SCRIPT), "--serve", name, "--port", str(port), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,  # no stray .env from the caller's directory
            env=env,
        )
    return Child(name, port, process, log)


# -- load ---------------------------------------------------------------------------------


class Connection:
    """A minimal keep-alive HTTP/1.1 client: little work on this side of the measurement."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
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


Prepared = tuple[bytes, dict[str, str], str]  # body, headers, trigger_id


def command_maker(standin):
    """Slash commands exactly as `SlackRequests` shapes and signs them, ready to send."""
    from sambot.localslack.requests import SlackRequests

    class Unsent(SlackRequests):
        def send(self, body, content_type, **_options):  # type: ignore[override]
            headers = {
                "Content-Type": content_type,
                "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                **self.signed_headers(body),
            }
            return body.encode(), headers

    unsent = Unsent("http://unused", SIGNING_SECRET, standin, TEAM_ID)
    unsent.close()

    def make(command: str, text: str) -> Prepared:
        body, headers = unsent.command(command, text, user_id=USER, channel_id=CHANNEL)
        trigger_id = parse_qs(body.decode())["trigger_id"][0]
        return body, headers, trigger_id

    return make


@dataclass
class Sample:
    sent: float  # time.monotonic()
    acked: float
    status: int
    trigger_id: str

    @property
    def ms(self) -> float:
        return (self.acked - self.sent) * 1000


@dataclass
class Result:
    app: str
    command: str
    load: str
    samples: list[Sample]
    seconds: float
    views_open_ms: list[float] = field(default_factory=list)
    # The work after the ack: views.open for /touchpoint, the response_url answer for a list.
    follow_up_missing: int = 0
    follow_up_failed: int = 0

    @property
    def errors(self) -> int:
        """Requests not acked with 200, and follow-up calls that never came or failed."""
        failed = sum(1 for sample in self.samples if sample.status != 200)
        return failed + self.follow_up_missing + self.follow_up_failed

    def ack(self, q: float) -> float:
        return percentile([s.ms for s in self.samples], q)


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


async def fire(port: int, requests: list[Prepared], concurrency: int):
    """Closed loop: `concurrency` requests in flight at all times; (samples, seconds)."""
    remaining = iter(requests)
    samples: list[Sample] = []

    async def worker() -> None:
        connection = Connection(port)
        try:
            for request in remaining:
                samples.append(await send_one(connection, request))
        finally:
            await connection.close()

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples, time.monotonic() - start


async def fire_at_rate(port: int, requests: list[Prepared], rate: float):
    """Open loop: `rate` requests sent per second, whatever the answers' pace."""
    samples: list[Sample] = []
    idle: list[Connection] = []

    async def one(request: Prepared) -> None:
        connection = idle.pop() if idle else Connection(port)
        samples.append(await send_one(connection, request))
        idle.append(connection)

    start = time.monotonic()
    tasks = []
    for i, request in enumerate(requests):
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(request)))
    await asyncio.gather(*tasks)
    seconds = time.monotonic() - start
    for connection in idle:
        await connection.close()
    return samples, seconds


async def send_one(connection: Connection, request: Prepared) -> Sample:
    body, headers, trigger_id = request
    sent = time.monotonic()
    try:
        status, _ = await connection.post(EVENTS_PATH, body, headers)
    except (OSError, asyncio.IncompleteReadError):
        status = 0
        await connection.close()
    return Sample(sent, time.monotonic(), status, trigger_id)


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def run_phase(
    standin,
    child: Child,
    make,
    command: str,
    text: str,
    *,
    n: int,
    warmup: int = 0,
    concurrency: int = 0,
    rate: float = 0.0,
) -> Result:
    """Warm-up, then the measured run (closed loop at `concurrency`, or open loop at
    `rate`); waits for the app's work after the ack to finish before returning."""
    label = f"{command} {text}".strip()
    expect_views = child.name == "sambot" and command == "/touchpoint"
    expect_answers = child.name == "sambot" and text == "list"
    load = f"{rate:g} req/s sent" if rate else f"concurrency {concurrency}"
    result = None
    for count, measured in ((warmup, False), (n, True)):
        if not count:
            continue
        standin.reset()
        # Signed and given trigger ids up front, so the sender never waits on the stand-in.
        requests = [make(command, text) for _ in range(count)]
        gc.collect()
        gc.disable()  # no collector pauses on the sending side while timing
        try:
            if rate and measured:
                run = fire_at_rate(child.port, requests, rate)
            else:
                run = fire(child.port, requests, concurrency or 20)
            samples, seconds = asyncio.run(run)
        finally:
            gc.enable()
        # Let the work after the ack land before going on, so it cannot slow the next run.
        if expect_views:
            wait_until(lambda count=count: len(standin.calls("views.open")) >= count, 20)
        if expect_answers:
            wait_until(lambda count=count: len(standin.calls("response_url")) >= count, 20)
        if measured:
            result = Result(child.name, label, load, samples, seconds)
    assert result is not None
    if expect_views:
        opened = {call.args.get("trigger_id"): call for call in standin.calls("views.open")}
        for sample in result.samples:
            call = opened.get(sample.trigger_id)
            if call is None:
                result.follow_up_missing += 1
                continue
            # Trigger ids were issued before the run: judge their 3 s life from sending.
            if not call.ok or call.time - sample.sent > TRIGGER_TTL:
                result.follow_up_failed += 1
            # Call.time is when the stand-in answered, a hair after it received the call.
            result.views_open_ms.append((call.time - sample.sent) * 1000)
    if expect_answers:
        answers = standin.calls("response_url")
        result.follow_up_missing = max(0, n - len(answers))
        result.follow_up_failed = sum(1 for call in answers if not call.ok)
    print(
        f"  {load:16} {child.name:6} {label:12} ack p50 {result.ack(0.5):6.1f} ms  "
        f"p99 {result.ack(0.99):6.1f} ms  {n / result.seconds:5.0f} req/s",
        flush=True,
    )
    return result


# -- report -------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    rows = [
        "| app | command | load | n | errors | ack p50 (ms) | ack p99 (ms) | req/s "
        "| views.open p50 (ms) | views.open p99 (ms) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        views = ["-", "-"]
        if r.views_open_ms:
            views = [f"{percentile(r.views_open_ms, q):.1f}" for q in (0.5, 0.99)]
        rows.append(
            f"| {r.app} | `{r.command}` | {r.load} | {len(r.samples)} | {r.errors} "
            f"| {r.ack(0.5):.1f} | {r.ack(0.99):.1f} | {len(r.samples) / r.seconds:.0f} "
            f"| {views[0]} | {views[1]} |"
        )
    return "\n".join(rows)


def verdict(results: list[Result]) -> tuple[list[str], bool]:
    """The issue's targets, judged on the closed-loop runs."""
    by = {(r.app, r.command): r for r in results}
    lines, ok = [], True
    for command, text in COMMANDS:
        label = f"{command} {text}".strip()
        sambot, bare = by[("sambot", label)], by[("bare", label)]
        ratio = sambot.ack(0.99) / bare.ack(0.99)
        holds = ratio <= ACK_RATIO_TARGET and sambot.errors == 0
        ok &= holds
        lines.append(
            f"- `{label}` p99 time-to-ack: sambot {sambot.ack(0.99):.1f} ms, bare "
            f"{bare.ack(0.99):.1f} ms: {ratio:.2f}x (target <= {ACK_RATIO_TARGET}x): "
            f"{'holds' if holds else 'MISSED'}"
        )
    touch = by[("sambot", "/touchpoint")]
    p99 = percentile(touch.views_open_ms, 0.99)
    holds = p99 <= VIEWS_OPEN_TARGET_MS and touch.errors == 0
    ok &= holds
    lines.append(
        f"- `/touchpoint` request to `views.open` p99: {p99:.1f} ms "
        f"(target <= {VIEWS_OPEN_TARGET_MS:.0f} ms): {'holds' if holds else 'MISSED'}"
    )
    return lines, ok


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=400, help="measured requests per run")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests first")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--rate",
        type=float,
        default=50.0,
        help="also send --rate-requests at this many per second (open loop); 0: skip",
    )
    parser.add_argument("--rate-requests", type=int, default=200)
    parser.add_argument("--serve", choices=["sambot", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve == "sambot":
        serve_sambot(args.port, args.api_url, args.database_url)
        return 0
    if args.serve == "bare":
        serve_bare(args.port, args.api_url)
        return 0
    return bench(args)


def bench(args) -> int:
    from sambot.localslack.server import SlackStandIn

    # SIGTERM unwinds like Ctrl-C, so the `finally` below always stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # The stand-in's threads share this interpreter with the sender: hand the GIL over fast.
    sys.setswitchinterval(0.0005)
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}",
        flush=True,
    )
    children: list[Child] = []
    closed: list[Result] = []
    opened: list[Result] = []
    with (
        tempfile.TemporaryDirectory(prefix="ack-bench-") as tmp,
        # Requests are prepared before each run; expiry is checked from the sending time.
        SlackStandIn(BOT_TOKEN, trigger_ttl=60 * TRIGGER_TTL) as standin,
    ):
        workdir = Path(tmp)
        try:
            standin.add_user(USER, "dana", real_name="Dana Scully", tz="Europe/Paris")
            standin.add_channel(CHANNEL, "acme")
            database_url = f"sqlite:///{workdir / 'sambot.db'}"
            seed(database_url)
            bare = spawn("bare", workdir, "--api-url", standin.base_url)
            children.append(bare)
            sambot = spawn(
                "sambot", workdir, "--api-url", standin.base_url, "--database-url", database_url
            )
            children.append(sambot)
            for child in children:
                child.wait_healthy()
            make = command_maker(standin)
            print(
                f"closed loop: {args.requests} requests (after {args.warmup} warm-up) "
                f"at concurrency {args.concurrency}",
                flush=True,
            )
            for command, text in COMMANDS:
                for child in (bare, sambot):
                    closed.append(
                        run_phase(
                            standin,
                            child,
                            make,
                            command,
                            text,
                            n=args.requests,
                            warmup=args.warmup,
                            concurrency=args.concurrency,
                        )
                    )
            if args.rate:
                print(f"open loop: {args.rate_requests} requests at {args.rate:g}/s", flush=True)
                for command, text in COMMANDS:
                    for child in (bare, sambot):
                        opened.append(
                            run_phase(
                                standin,
                                child,
                                make,
                                command,
                                text,
                                n=args.rate_requests,
                                rate=args.rate,
                            )
                        )
            violations = standin.violations
        except BaseException:
            for child in children:
                if child.process.poll() is not None:
                    print(f"--- {child.name} log ---\n{child.log_tail()}", file=sys.stderr)
            raise
        finally:
            for child in children:
                child.stop()
    print()
    print(table(closed + opened))
    print()
    lines, ok = verdict(closed)
    print("\n".join(lines))
    if violations:
        print(f"the stand-in saw Block Kit violations: {violations[:5]}")
    print("all targets hold" if ok else "some targets missed")
    return 1 if violations or any(r.errors for r in closed + opened) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
