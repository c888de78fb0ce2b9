"""A generated portfolio for the jobs benchmark, bulk-loaded into a migrated database.

Default size: 10,000 accounts, 200,000 actions, 500,000 touchpoints, plus their
stakeholders, objectives and touchpoint-stakeholder links. Rows are streamed (never all
in memory) and loaded with COPY on PostgreSQL and executemany on SQLite. Deterministic
for a given seed. Dates are set around October 2026, the month the benchmark reports on.
"""

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from sqlalchemy import Table, text

import sambot.models  # noqa: F401  (every table on the metadata)
from sambot.db import Base, Database

TEAM_ID = "TBENCH"
TIMEZONE = "Europe/Paris"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
KINDS = ["meeting", "call", "email", "qbr", "executive_visit", "event", "other"]
SENTIMENTS = ["positive", "neutral", "negative"]
SERIAL_TABLES = (
    "workspaces",
    "accounts",
    "team_members",
    "objectives",
    "stakeholders",
    "actions",
    "touchpoints",
)
ROLES = ["economic_buyer", "decision_maker", "influencer", "champion", "user", "other"]


@dataclass(frozen=True)
class Size:
    accounts: int = 10_000
    actions: int = 200_000
    touchpoints: int = 500_000
    account_owners: int = 200
    action_owners: int = 500
    stakeholders_per_account: int = 3
    objectives_per_account: int = 2


def channel_id(n: int) -> str:
    return f"C{n:06d}"


def user_id(n: int) -> str:
    return f"U{n:05d}"


def users(size: Size) -> list[str]:
    return [user_id(n) for n in range(1, max(size.account_owners, size.action_owners) + 1)]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _instant(rng: random.Random, first: date, last: date) -> datetime:
    day = _day(rng, first, last)
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(86_400)
    )


def _rows(size: Size, seed: int) -> dict[str, Iterable[dict]]:
    """A row generator per table, in insertion order."""
    rng = random.Random(seed)
    stakeholders = size.accounts * size.stakeholders_per_account

    def workspaces():
        yield {
            "id": 1,
            "team_id": TEAM_ID,
            "name": "Bench",
            "timezone": TIMEZONE,
            "created_at": NOW,
            "updated_at": NOW,
        }

    def accounts():
        for n in range(1, size.accounts + 1):
            yield {
                "id": n,
                "workspace_id": 1,
                "name": f"Account {n:05d}",
                "channel_id": channel_id(n),
                "owner_id": user_id(1 + n % size.account_owners),
                "tier": "strategic",
                "currency": "USD",
                "archived": False,
                "created_at": NOW,
                "updated_at": NOW,
            }

    def team_members():
        for n in range(1, size.accounts + 1):
            yield {
                "id": n,
                "workspace_id": 1,
                "account_id": n,
                "user_id": user_id(1 + n % size.account_owners),
                "role": "owner",
            }

    def objectives():
        for n in range(size.accounts * size.objectives_per_account):
            yield {
                "id": n + 1,
                "workspace_id": 1,
                "account_id": 1 + n // size.objectives_per_account,
                "title": f"Objective {n + 1}",
                "horizon": rng.choice(["short_term", "long_term"]),
                "status": rng.choice(["not_started", "on_track", "at_risk", "achieved"]),
                "target_date": _day(rng, date(2026, 12, 1), date(2027, 12, 31)),
                "created_at": NOW,
                "updated_at": NOW,
            }

    def stakeholder_rows():
        for n in range(stakeholders):
            yield {
                "id": n + 1,
                "workspace_id": 1,
                "account_id": 1 + n // size.stakeholders_per_account,
                "name": f"Stakeholder {n + 1}",
                "role": rng.choice(ROLES),
                "power": rng.randint(1, 5),
                "influence": rng.randint(1, 5),
                "interest": rng.randint(1, 5),
                "attitude": rng.randint(-2, 2),
                # Three in four have a relationship owner (not drawn from rng, so the
                # rest of the portfolio is the same as before owners were added).
                "relationship_owner_id": user_id(1 + n % size.action_owners) if n % 4 else None,
                "created_at": datetime(2026, 1, 1, tzinfo=UTC),
                "updated_at": NOW,
            }

    def actions():
        for n in range(size.actions):
            account = 1 + n % size.accounts
            created = _instant(rng, date(2026, 3, 1), date(2026, 10, 31))
            roll = rng.random()
            status, completed = "open", None
            if roll < 0.3:
                status = "done"
                completed = created + timedelta(days=rng.randrange(1, 90))
            elif roll < 0.35:
                status = "cancelled"
            elif roll < 0.45:
                status = rng.choice(["in_progress", "blocked"])
            objective = (account - 1) * size.objectives_per_account + rng.randrange(
                size.objectives_per_account
            )
            yield {
                "id": n + 1,
                "workspace_id": 1,
                "account_id": account,
                "objective_id": objective + 1 if rng.random() < 0.6 else None,
                "title": f"Action {n + 1} for account {account}",
                "obstacle": "Waiting for the client's legal team" if rng.random() < 0.2 else None,
                "owner_id": user_id(1 + rng.randrange(size.action_owners)),
                "due_date": _day(rng, date(2026, 8, 1), date(2027, 1, 31)),
                "status": status,
                "shared_with_client": rng.random() < 0.3,
                "created_by": user_id(1),
                "completed_at": completed,
                "snoozed_until": date(2026, 11, 12) if rng.random() < 0.05 else None,
                "created_at": created,
                "updated_at": created,
            }

    def touchpoints():
        for n in range(size.touchpoints):
            yield {
                "id": n + 1,
                "workspace_id": 1,
                "account_id": 1 + n % size.accounts,
                "occurred_on": _day(rng, date(2026, 5, 1), date(2026, 11, 9)),
                "kind": rng.choice(KINDS),
                "summary": "Met",
                "sentiment": rng.choice(SENTIMENTS),
                "logged_by": user_id(1),
                "source": "import",
                "created_at": NOW,
                "updated_at": NOW,
            }

    def links():
        # Most touchpoints name one of the account's stakeholders.
        for n in range(size.touchpoints):
            if rng.random() < 0.7:
                account = 1 + n % size.accounts
                first = (account - 1) * size.stakeholders_per_account + 1
                yield {
                    "touchpoint_id": n + 1,
                    "stakeholder_id": first + rng.randrange(size.stakeholders_per_account),
                }

    return {
        "workspaces": workspaces(),
        "accounts": accounts(),
        "team_members": team_members(),
        "objectives": objectives(),
        "stakeholders": stakeholder_rows(),
        "actions": actions(),
        "touchpoints": touchpoints(),
        "touchpoint_stakeholders": links(),
    }


def _sqlite_value(value):
    # The text forms SQLAlchemy itself stores in SQLite.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _complete(table: Table, rows: Iterable[dict]) -> Iterator[tuple]:
    """Each row as a tuple over every column of the table; absent ones take the model's
    scalar default, or NULL."""
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.default is not None
        and column.default.is_scalar
        and not isinstance(column.default.arg, Enum)  # drivers would write an enum's name
    }
    names = [column.name for column in table.columns]
    for row in rows:
        yield tuple(row[name] if name in row else defaults.get(name) for name in names)


def load(database: Database, size: Size = Size(), seed: int = 2026) -> dict[str, int]:
    """Fill an empty, migrated database; returns the rows loaded per table."""
    counts = {}
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, rows in _rows(size, seed).items():
            table = Base.metadata.tables[name]
            columns = [column.name for column in table.columns]
            counted = _counting(rows, counts, name)
            if database.is_postgresql:
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in _complete(table, counted):
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",
                    (tuple(map(_sqlite_value, row)) for row in _complete(table, counted)),
                )
        raw.commit()
    finally:
        raw.close()
    if database.is_postgresql:
        # Ids were given explicitly: move the sequences past them.
        with database.engine.begin() as connection:
            for name in SERIAL_TABLES:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"
                    )
                )
    # Planner statistics, as a database in use would have.
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return counts


def _counting(rows: Iterable[dict], counts: dict[str, int], name: str) -> Iterator[dict]:
    counts[name] = 0
    for row in rows:
        counts[name] += 1
        yield row
