"""The monthly report across many workspaces, each paced at its own rate (issue 13).

    PYTHONPATH=. python bench/workspaces_bench.py [--workspaces 1000] [--accounts 10]
        [--rate 1] [--at-once 1000] [--database sqlite|postgresql]

Every workspace is installed through the installation store (its own bot token); the
stand-in runs in a process of its own and answers each call after 50-100 ms, as Slack
does. The report job runs twice: in one workspace alone, then in all of them with
`--at-once` workspaces side by side, each at `--rate` posts per second. Slack's limits
are per workspace, so the second run should take about as long as the first.
Not part of `make test`.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

AT = datetime(2026, 11, 2, 8, tzinfo=UTC)
LATENCY = (0.050, 0.100)
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sambot_bench_workspaces"


def channel(team: int, account: int) -> str:
    return f"C{team:05d}X{account:03d}"


def serve_standin(connection, workspaces: int, accounts: int) -> None:
    """The stand-in's process: one token per workspace; answers "tokens" and "stats"."""
    from sambot.localslack import SlackStandIn

    standin = SlackStandIn(latency=LATENCY).start()
    tokens = {}
    for team in range(1, workspaces + 1):
        tokens[f"T{team:05d}"] = standin.installs.add_team(f"T{team:05d}")
        for account in range(accounts):
            standin.add_channel(channel(team, account), f"acct-{team}-{account}")
    standin.add_user("UOWNER", "owner")
    connection.send((standin.base_url, tokens))
    while (message := connection.recv()) != "stop":
        posts = [call for call in standin.calls("chat.postMessage") if call.ok]
        teams = {call.team_id for call in posts}
        connection.send({"posts": len(posts), "workspaces": len(teams)})
        if message == "reset":
            standin.reset()
    standin.stop()


def load(database_url: str, tokens: dict[str, str], accounts: int) -> None:
    from slack_sdk.oauth.installation_store import Installation
    from sqlalchemy import insert

    from sambot import migrate
    from sambot.accounts.models import Account
    from sambot.db import Database
    from sambot.installs.store import InstallationStore, TokenCipher
    from sambot.workspaces.models import Workspace

    migrate.upgrade(database_url)
    database = Database(database_url)
    store = InstallationStore("bench", database.engine, TokenCipher(None))
    with database.session() as db:
        for team_id in tokens:
            db.add(Workspace(team_id=team_id, name=team_id, timezone="UTC"))
    with database.session() as db:
        from sqlalchemy import select

        ids = dict(db.execute(select(Workspace.team_id, Workspace.id)).all())
        rows = [
            {
                "workspace_id": ids[team_id],
                "name": f"Account {n}",
                "channel_id": channel(int(team_id[1:]), n),
                "owner_id": "UOWNER",
            }
            for team_id in tokens
            for n in range(accounts)
        ]
        db.execute(insert(Account), rows)
    for team_id, token in tokens.items():
        store.save(
            Installation(
                app_id="A1", team_id=team_id, bot_token=token, bot_id="B1", user_id="UINSTALLER"
            )
        )
    database.dispose()


def run(database_url: str, base_url: str, rate: float, at_once: int) -> tuple[float, list]:
    from sambot.db import Database
    from sambot.installs.clients import WorkspaceClients
    from sambot.installs.store import InstallationStore, TokenCipher
    from sambot.jobs.runner import JobOptions, run_job

    # Connections are taken per claim and per record, not held through a post; a thousand
    # workspaces starting at once still queue for them.
    # PostgreSQL: within its 100 connections.
    overflow = at_once if database_url.startswith("sqlite") else 60
    database = Database(database_url, pool_size=30, max_overflow=overflow, pool_timeout=300)
    clients = WorkspaceClients(
        InstallationStore("bench", database.engine, TokenCipher(None)), base_url
    )
    options = JobOptions(post_rate=rate, workspaces_at_once=at_once)
    started = time.perf_counter()
    summaries = run_job("monthly-report", database, clients, at=AT, options=options)
    elapsed = time.perf_counter() - started
    database.dispose()
    return elapsed, summaries


def database_for(kind: str, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='sambot-ws-bench-')}/{name}.db"
    from tests.conftest import create_postgres_database, drop_postgres_database

    url = os.environ.get("SAMBOT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL) + f"_{name}"
    drop_postgres_database(url)
    create_postgres_database(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--at-once", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    threading.stack_size(512 * 1024)  # a thousand workspaces' threads: small stacks

    ours, theirs = multiprocessing.Pipe()
    standin = multiprocessing.Process(
        target=serve_standin, args=(theirs, args.workspaces, args.accounts), daemon=True
    )
    standin.start()
    base_url, tokens = ours.recv()

    one = database_for(args.database, "one")
    first = next(iter(tokens))
    load(one, {first: tokens[first]}, args.accounts)
    alone, [summary] = run(one, base_url, args.rate, 1)
    ours.send("reset")
    stats_one = ours.recv()
    print(
        f"1 workspace x {args.accounts} accounts at {args.rate}/s: {alone:.1f} s, "
        f"{len(summary.posted)} posted ({stats_one['posts']} seen by Slack)"
    )

    many = database_for(args.database, "many")
    loading = time.perf_counter()
    load(many, tokens, args.accounts)
    print(f"loaded {args.workspaces} workspaces in {time.perf_counter() - loading:.0f} s")
    elapsed, summaries = run(many, base_url, args.rate, args.at_once)
    ours.send("stats")
    stats = ours.recv()
    posted = sum(len(s.posted) for s in summaries)
    failed = sum(len(s.failed) for s in summaries)
    stopped = sum(1 for s in summaries if s.stopped)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.workspaces} workspaces x {args.accounts} accounts at {args.rate}/s each, "
        f"{args.at_once} at once: {elapsed:.1f} s ({elapsed / alone:.2f}x one workspace), "
        f"{posted} posted, {failed} failed, {stopped} stopped; Slack saw {stats['posts']} "
        f"posts from {stats['workspaces']} workspaces; peak memory {peak:.0f} MB"
    )
    ours.send("stop")
    standin.join(timeout=10)


if __name__ == "__main__":
    main()
