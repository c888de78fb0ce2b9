"""What reading `/action list`'s open actions costs, by way of reading, in-process.

The 8 open actions that `ack_bench.py` seeds, read the way `/action list` read them before
2026-12-03 (a session, the ORM's `select(Action)`, a commit) and the way it reads them now
(`Database.reading`: a plain connection, a Core statement, `ActionLine` rows), plus the
steps between. Each way runs `--calls` times in a row, the ways alternate `--rounds` times,
and the best round is kept: the machine's noise only ever adds.

`.venv/bin/python bench/list_read_bench.py [--database-url postgresql+psycopg://...]`
"""

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import bindparam, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ack_bench

from sambot.actions import service as actions
from sambot.actions.models import OPEN_STATUSES, Action
from sambot.db import Database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to seed (else SQLite)")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'sambot.db'}"
    ack_bench.seed(url)
    database = Database(url)
    with database.session() as session:
        workspace_id, owner_id = session.execute(
            select(Action.workspace_id, Action.owner_id)
        ).first()
    values = {"workspace_id": workspace_id, "owner_id": owner_id, "today": date.today()}
    orm_statement = (  # the statement of before, built once as it was
        select(Action)
        .where(
            Action.workspace_id == bindparam("workspace_id"),
            Action.owner_id == bindparam("owner_id"),
            Action.status.in_(OPEN_STATUSES),
        )
        .order_by(*actions.overdue_first(bindparam("today")))
        .limit(bindparam("limit"))
    )

    def orm_in_session():
        with database.session() as session:
            return list(session.scalars(orm_statement, {**values, "limit": 500}))

    def lines_in_session():
        with database.session() as session:
            return actions.list_open_for_owner(session, **values, limit=500)

    def lines_on_connection():
        with database.reading() as connection:
            return actions.list_open_for_owner(connection, **values, limit=500)

    def session_alone():
        with database.session() as session:
            session.connection()

    ways = {
        "before: session, ORM `select(Action)`, commit": orm_in_session,
        "session, Core statement, `ActionLine` rows, commit": lines_in_session,
        "now: `Database.reading`, Core statement, `ActionLine` rows": lines_on_connection,
        "a session's begin and commit alone": session_alone,
    }
    assert len(orm_in_session()) == len(lines_on_connection()) == 8
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(args.rounds):
        for name, way in ways.items():
            started = time.process_time()
            for _ in range(args.calls):
                way()
            best[name] = min(best[name], (time.process_time() - started) / args.calls)
    print(
        f"{database.engine.dialect.name}, {args.calls} calls x {args.rounds} rounds, best round\n"
    )
    print("| way | CPU per read (µs) |")
    print("|---|---:|")
    for name, seconds in best.items():
        print(f"| {name} | {seconds * 1e6:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
