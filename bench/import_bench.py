"""Benchmark of the portfolio import and the Pareto analysis, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--backends sqlite,postgresql]

For each database, on an empty migrated database: import a generated CSV of `--rows`
accounts (every column filled; owners given as emails, resolved through a directory that
answers at once, so the figures are sambot's own work, not Slack's), then import it again
unchanged, again with one row in ten changed, as a dry run, and finally run the Pareto
analysis with its chart and CSV. Each step is timed from the file's bytes to the commit,
with its SQL statements counted on SQLAlchemy's `before_cursor_execute`. Not part of
`make test`.

PostgreSQL: SAMBOT_BENCH_POSTGRES_URL (default: the `sambot_bench` database on
127.0.0.1), dropped and created afresh.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from sambot import migrate  # noqa: E402
from sambot.db import Database  # noqa: E402
from sambot.portfolio import service  # noqa: E402
from sambot.portfolio.chart import pareto_png  # noqa: E402
from sambot.portfolio.imports import Directory, import_accounts  # noqa: E402
from sambot.portfolio.pareto import Metric  # noqa: E402
from sambot.portfolio.sheet import read_sheet  # noqa: E402
from sambot.portfolio.table import render_csv  # noqa: E402
from sambot.workspaces import service as workspaces  # noqa: E402
from tests.conftest import create_postgres_database, drop_postgres_database  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sambot_bench"
HEADER = "name,annual revenue,gross margin,potential revenue,currency,industry,tier,owner,channel"
INDUSTRIES = ["Manufacturing", "Energy", "Retail", "Health", "Finance", "Telecom"]
TIERS = ["strategic", "key", "other", ""]


def generate(rows: int, seed: int = 7, changed_every: int = 0) -> bytes:
    rng = random.Random(seed)
    lines = [HEADER]
    for n in range(1, rows + 1):
        revenue = rng.randint(10_000, 50_000_000)
        margin = int(revenue * rng.uniform(-0.05, 0.6))
        if changed_every and n % changed_every == 0:
            margin = int(margin * 1.1) if margin > 0 else margin
        potential = revenue * rng.randint(1, 4)
        currency = "EUR" if n % 3 == 0 else "USD"
        channel = f"CACCT{n:06d}" if n % 5 == 0 else ""
        lines.append(
            f"Account {n:06d},{revenue},{min(margin, revenue)},{potential},{currency},"
            f"{rng.choice(INDUSTRIES)},{rng.choice(TIERS)},owner{n % 50}@example.com,{channel}"
        )
    return ("\n".join(lines) + "\n").encode()


DIRECTORY = Directory(
    user_by_email=lambda email: "U" + email.split("@")[0].upper(),
    channel_by_name=lambda name: "C" + name.upper(),
)


def step(database: Database, workspace_id: int, data: bytes, period: str, **options):
    statements = [0]

    def count(*_args):
        statements[0] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    with database.session() as session:
        report = import_accounts(
            session,
            workspace_id=workspace_id,
            sheet=read_sheet(data),
            period=period,
            directory=DIRECTORY,
            **options,
        )
    elapsed = time.perf_counter() - started
    event.remove(database.engine, "before_cursor_execute", count)
    outcome = (
        f"{report.count('create')} created, {report.count('update')} updated, "
        f"{report.count('unchanged')} unchanged, {len(report.bad_rows)} bad"
    )
    return elapsed, statements[0], outcome


def analyse(database: Database, workspace_id: int):
    started = time.perf_counter()
    with database.session() as session:
        analysis = service.analyse_portfolio(
            session, workspace_id=workspace_id, metric=Metric.MARGIN
        )
    analysed = time.perf_counter() - started
    png = pareto_png(analysis)
    render_csv(analysis)
    total = time.perf_counter() - started
    cuts = ", ".join(f"{g.currency} {g.cut_count}/{len(g.ranked)}" for g in analysis.groups)
    return analysed, total, len(png), cuts


def bench(backend: str, url: str, rows: int) -> list[tuple]:
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        workspace_id = workspaces.ensure(session, team_id="TBENCH", timezone="UTC").id
    first, changed = generate(rows), generate(rows, changed_every=10)
    results = [
        (backend, "first import", *step(database, workspace_id, first, "2026-11")),
        (backend, "same file again", *step(database, workspace_id, first, "2026-11")),
        (backend, "1 row in 10 changed", *step(database, workspace_id, changed, "2026-12")),
        (backend, "dry run", *step(database, workspace_id, first, "2026-12", dry_run=True)),
    ]
    analysed, total, size, cuts = analyse(database, workspace_id)
    results.append(
        (
            backend,
            "Pareto analysis + chart + CSV",
            total,
            0,
            f"query+rank {analysed:.2f} s; PNG {size // 1024} kB; cut {cuts}",
        )
    )
    database.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results += bench(backend, f"sqlite:///{tmp}/bench.db", args.rows)
        else:
            url = os.environ.get("SAMBOT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
            url = url.replace("postgresql://", "postgresql+psycopg://", 1)
            drop_postgres_database(url)
            create_postgres_database(url)
            results += bench(backend, url, args.rows)
            drop_postgres_database(url)
    print(f"{args.rows:,} rows, {len(generate(args.rows)) // 1024} kB CSV")
    print("| database | step | time | SQL statements | result |")
    print("|---|---|---:|---:|---|")
    for backend, name, elapsed, statements, outcome in results:
        print(f"| {backend} | {name} | {elapsed:.2f} s | {statements:,} | {outcome} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak memory of the process: {peak} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
