"""Benchmark of the scheduled jobs on a large portfolio, on SQLite and PostgreSQL.

    PYTHONPATH=. python bench/jobs_bench.py [--backends sqlite,postgresql] [--accounts N ...]

For each database: generate the portfolio (bench/portfolio.py), start the local Slack
stand-in in its own process (so its memory is not counted), then run each job in a fresh
process, with pacing off, and measure wall time, SQL statements (counted on SQLAlchemy's
`before_cursor_execute`) and peak memory (the process's maximum resident set size,
interpreter and imports included). The report and cadence jobs run twice: the second
run finds everything posted. Not part of `make test`.
"""

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from portfolio import Size, channel_id, load, users  # noqa: E402

TOKEN = "xoxb-bench"
# Pacing off; a few posting threads overlap the round trips to the stand-in.
POST_THREADS = 4
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sambot_bench"
# The report for October 2026 on the first weekday of November; nudges a week later.
RUNS = [
    ("monthly-report", datetime(2026, 11, 2, 8, tzinfo=UTC)),
    ("monthly-report", datetime(2026, 11, 2, 8, 30, tzinfo=UTC)),
    ("nudges", datetime(2026, 11, 10, 8, tzinfo=UTC)),
    # The weekly touch-cadence reminder on Monday 9 November, then again the same week.
    ("cadence", datetime(2026, 11, 9, 8, tzinfo=UTC)),
    ("cadence", datetime(2026, 11, 9, 8, 30, tzinfo=UTC)),
]


def serve_standin(connection, channels: int, people: list[str]) -> None:
    """The stand-in's process: serves until told to stop; answers "stats" with its counts."""
    from sambot.localslack import SlackStandIn

    standin = SlackStandIn(bot_token=TOKEN, team_id="TBENCH").start()
    for n in range(1, channels + 1):
        standin.add_channel(channel_id(n), f"account-{n}")
    for person in people:
        standin.add_user(person, person.lower())
    connection.send(standin.base_url)
    while connection.recv() != "stop":
        posts = [call for call in standin.calls("chat.postMessage") if call.ok]
        connection.send({"posts": len(posts), "violations": len(standin.violations)})
        standin.reset()  # forget calls and messages; users and channels stay
    standin.stop()


def run_child(job: str, at: str, database_url: str, slack_url: str) -> None:
    """One job run in this (fresh) process; prints its measures as JSON."""
    from sqlalchemy import event

    from sambot.db import Database
    from sambot.jobs.runner import JobOptions, run_job
    from sambot.slack.client import build_web_client

    database = Database(database_url)
    statements = Counter()

    @event.listens_for(database.engine, "before_cursor_execute")
    def count(_conn, _cursor, statement, _params, _context, _executemany):
        statements[statement.split(None, 1)[0].upper()] += 1

    client = build_web_client(TOKEN, slack_url)
    started = time.perf_counter()
    [summary] = run_job(
        job,
        database,
        client,
        at=datetime.fromisoformat(at),
        options=JobOptions(post_rate=0, post_threads=POST_THREADS),
    )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "job": job,
                "wall": wall,
                "statements": sum(statements.values()),
                "selects": statements["SELECT"],
                "writes": statements["INSERT"] + statements["UPDATE"],
                "peak_mb": peak,
                "posted": len(summary.posted),
                "skipped": len(summary.skipped),
                "failed": len(summary.failed),
            }
        )
    )


def prepare(backend: str, postgres_url: str, workdir: Path):
    from sqlalchemy import create_engine, text

    from sambot import migrate
    from sambot.db import Database

    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        url = postgres_url
        base, name = url.rsplit("/", 1)
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    migrate.upgrade(url)
    return url, Database(url)


def bench(backend: str, size: Size, postgres_url: str, workdir: Path, jobs: set[str]) -> list[dict]:
    url, database = prepare(backend, postgres_url, workdir)
    started = time.perf_counter()
    counts = load(database, size)
    database.dispose()
    print(f"{backend}: generated {counts} in {time.perf_counter() - started:.1f} s", flush=True)

    parent, child = multiprocessing.get_context("spawn").Pipe()
    standin = multiprocessing.get_context("spawn").Process(
        target=serve_standin, args=(child, size.accounts, users(size)), daemon=True
    )
    standin.start()
    slack_url = parent.recv()
    results = []
    try:
        for job, at in [(job, at) for job, at in RUNS if job in jobs]:
            command = [sys.executable, __file__, "--child", job, at.isoformat(), url, slack_url]
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            output = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            result = json.loads(output.stdout.strip().splitlines()[-1])
            parent.send("stats")
            result.update(parent.recv(), backend=backend)
            results.append(result)
            print(json.dumps(result), flush=True)
    finally:
        parent.send("stop")
        standin.join(timeout=10)
    return results


def table(results: list[dict]) -> str:
    lines = [
        "| database | job | wall time | SQL statements (SELECT / writes) | peak memory | posted |",
        "|---|---|---|---|---|---|",
    ]
    seen = set()
    for r in results:
        name = r["job"] if (r["backend"], r["job"]) not in seen else f"{r['job']} (again)"
        seen.add((r["backend"], r["job"]))
        lines.append(
            f"| {r['backend']} | {name} | {r['wall']:.1f} s | {r['statements']} "
            f"({r['selects']} / {r['writes']}) | {r['peak_mb']:.0f} MB | "
            f"{r['posted']} posted, {r['skipped']} skipped, {r['failed']} failed |"
        )
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(*sys.argv[2:6])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--accounts", type=int, default=Size.accounts)
    parser.add_argument("--actions", type=int, default=Size.actions)
    parser.add_argument("--touchpoints", type=int, default=Size.touchpoints)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--jobs", default=",".join(dict.fromkeys(job for job, _ in RUNS)), help="which to run"
    )
    args = parser.parse_args()
    size = Size(accounts=args.accounts, actions=args.actions, touchpoints=args.touchpoints)
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            jobs = set(args.jobs.split(","))
            results += bench(backend, size, args.postgres_url, Path(workdir), jobs)
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
