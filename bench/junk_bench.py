"""Signed traffic under a flood of junk: `/sam help` ack latency, quiet and with 300 junk req/s.

Issue 14, "Signed traffic keeps its speed under junk". sambot runs as `sambot run --no-scheduler`
in its own process, on a seeded SQLite database, its Web API pointed at the local Slack
stand-in in this process. Each run:

1. quiet: signed `/sam help` sent at 20 per second (open loop) for `--seconds`;
2. junk: the same, while a second process sends unsigned junk at 300 per second, also open
   loop, over keep-alive connections: bodies that are not JSON, truncated JSON, bytes
   that are not UTF-8, forged and stale signatures, and a 64 kB body.

Target: ack p99 under junk within 2x of the quiet p99. The server's resident memory is
read from /proc before and after. Exit status 1 if a signed request failed or junk got
anything but 401.

    .venv/bin/python bench/junk_bench.py [--runs 3] [--seconds 15] [--rate 20] [--junk-rate 300]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

SCRIPT = Path(__file__).resolve()
if str(SCRIPT.parent) not in sys.path:
    sys.path.insert(0, str(SCRIPT.parent))

import ack_bench  # noqa: E402  (the servers, the seed, the HTTP client and open-loop sender)

TARGET_RATIO = 2.0


def junk_bodies() -> list[tuple[bytes, dict[str, str]]]:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    json_type = {"Content-Type": "application/json"}
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}
    stale = {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}
    return [
        (b"payload=notjson", form),
        (b"payload=%7B", form),
        (b"{", json_type),
        (b"[1,2", json_type),
        (b"\xff\xfe\x00\xc3\x28", form),
        (b"command=%2Fsam&text=help", {**form, **forged}),
        (b"command=%2Fsam&text=help", {**form, **stale}),
        (b"x" * 65536, form),
    ]


def send_paced(port: int, requests: list[tuple[bytes, dict[str, str]]], rate: float):
    """Open loop: `rate` requests per second on a fixed schedule, over keep-alive
    connections; (ack ms, status) of each, status 0 when there was no answer."""
    samples: list[tuple[float, int]] = []
    idle: list[ack_bench.Connection] = []

    async def one(body: bytes, headers: dict[str, str]) -> None:
        connection = idle.pop() if idle else ack_bench.Connection(port)
        sent = time.monotonic()
        try:
            await connection.connect()
            status, _ = await connection.post(ack_bench.EVENTS_PATH, body, headers)
        except (OSError, asyncio.IncompleteReadError):
            status = 0
            await connection.close()
        samples.append(((time.monotonic() - sent) * 1000, status))
        idle.append(connection)

    async def paced() -> None:
        start = time.monotonic()
        tasks = []
        for i, (body, headers) in enumerate(requests):
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(body, headers)))
        await asyncio.gather(*tasks)

    gc.collect()
    gc.disable()  # no collector pauses on the sending side while timing
    try:
        asyncio.run(paced())
    finally:
        gc.enable()
    return samples


def send_junk(port: int, rate: float, seconds: float, done) -> None:
    """In its own process: junk at `rate` per second for `seconds`; puts the status counts."""
    bodies = junk_bodies()
    junk = [bodies[i % len(bodies)] for i in range(int(rate * seconds))]
    done.put(dict(Counter(status for _, status in send_paced(port, junk, rate))))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def signed_run(port: int, standin, rate: float, seconds: float) -> list[tuple[float, int]]:
    """Signed `/sam help` at `rate` per second, open loop: (ack ms, status) of each."""
    from sambot.localslack.requests import SlackRequests

    class Unsent(SlackRequests):
        def send(self, body, content_type, **_options):  # type: ignore[override]
            return body.encode(), {"Content-Type": content_type, **self.signed_headers(body)}

    unsent = Unsent("http://unused", ack_bench.SIGNING_SECRET, standin, ack_bench.TEAM_ID)
    unsent.close()
    requests = [
        unsent.command("/sam", "help", user_id=ack_bench.USER, channel_id=ack_bench.CHANNEL)
        for _ in range(int(rate * seconds))
    ]
    return send_paced(port, requests, rate)


def serve_sambot(workdir: Path, api_url: str, database_url: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAMBOT_"))}
    env |= {
        "SLACK_BOT_TOKEN": ack_bench.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": ack_bench.SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "PORT": str(ack_bench.free_port()),
    }
    command = [sys.executable, "-m", "sambot", "run", "--no-scheduler"]
    return ack_bench.spawn("sambot", workdir, command, env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=20.0, help="signed /sam help per second")
    parser.add_argument("--junk-rate", type=float, default=300.0, help="junk per second")
    args = parser.parse_args(argv)

    from sambot.localslack.server import SlackStandIn

    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}",
        flush=True,
    )
    rows, ok = [], True
    with (
        tempfile.TemporaryDirectory(prefix="junk-bench-") as tmp,
        SlackStandIn(ack_bench.BOT_TOKEN, trigger_ttl=60) as standin,
    ):
        workdir = Path(tmp)
        standin.add_user(ack_bench.USER, "dana", real_name="Dana Scully", tz="Europe/Paris")
        standin.add_channel(ack_bench.CHANNEL, "acme")
        database_url = f"sqlite:///{workdir / 'sambot.db'}"
        ack_bench.seed(database_url)
        sambot = serve_sambot(workdir, standin.base_url, database_url)
        try:
            sambot.wait_healthy()
            signed_run(sambot.port, standin, args.rate, 2)  # warm-up
            for run in range(1, args.runs + 1):
                quiet = signed_run(sambot.port, standin, args.rate, args.seconds)
                rss_before = rss_mb(sambot.process.pid)
                done = multiprocessing.Queue()
                junk = multiprocessing.Process(
                    target=send_junk, args=(sambot.port, args.junk_rate, args.seconds + 1, done)
                )
                junk.start()
                time.sleep(0.5)  # the flood is under way before the first measured request
                loud = signed_run(sambot.port, standin, args.rate, args.seconds)
                junk_statuses = done.get(timeout=120)
                junk.join()
                rss_after = rss_mb(sambot.process.pid)
                p99_quiet = ack_bench.percentile([ms for ms, _ in quiet], 0.99)
                p99_loud = ack_bench.percentile([ms for ms, _ in loud], 0.99)
                failed = sum(1 for _, status in quiet + loud if status != 200)
                ok &= failed == 0 and set(junk_statuses) == {401}
                ok &= p99_loud <= TARGET_RATIO * p99_quiet
                rows.append(
                    (
                        run,
                        ack_bench.percentile([ms for ms, _ in quiet], 0.5),
                        p99_quiet,
                        ack_bench.percentile([ms for ms, _ in loud], 0.5),
                        p99_loud,
                        p99_loud / p99_quiet,
                        sum(junk_statuses.values()),
                        ", ".join(f"{n}x {s}" for s, n in sorted(junk_statuses.items())),
                        failed,
                        f"{rss_before:.0f} -> {rss_after:.0f}",
                    )
                )
                print(f"  run {run}: p99 quiet {p99_quiet:.1f} ms, under junk {p99_loud:.1f} ms")
        finally:
            sambot.stop()
    print()
    print(
        "| run | quiet p50 (ms) | quiet p99 (ms) | junk p50 (ms) | junk p99 (ms) | p99 ratio "
        "| junk sent | junk answers | signed failed | server RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for row in rows:
        print(
            "| {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {} | {} | {} | {} |".format(*row)
        )
    print()
    print("target held" if ok else "target missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
