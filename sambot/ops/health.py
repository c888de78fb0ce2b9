"""Readiness: the database answers and its schema is the one this code expects."""

from functools import cache

from alembic.runtime.migration import MigrationContext

from sambot import migrate
from sambot.db import Database


@cache
def expected_revision() -> str:
    return migrate.current_head()


def readiness_problem(database: Database) -> str | None:
    """None when ready; otherwise what is wrong, in one line (no secrets)."""
    try:
        with database.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:
        return f"database unreachable ({type(exc).__name__})"
    head = expected_revision()
    if current != head:
        return f"database at revision {current}, this version needs {head}: run `sambot db upgrade`"
    return None
