"""One run of a job per workspace at a time, across every scheduler process.

On PostgreSQL a session-level advisory lock, held on its own connection for the run (it
is released if the process dies). SQLite serves a single process, so a lock in the
process is enough there. Either way the delivery records still make every post unique;
the lock only keeps two runs from doing the same work.
"""

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Integer, cast, func, select

from sambot.db import Database

_process_locks: dict[tuple[str, int], threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _job_key(job_kind: str) -> int:
    """A stable signed 32-bit key for the job (the first half of the advisory lock key)."""
    value = zlib.crc32(f"sambot:{job_kind}".encode())
    return value - 2**32 if value >= 2**31 else value


class SharedLockConnection:
    """One connection holding the advisory locks of every workspace a run serves side by
    side: a connection each would take a thousand for a thousand workspaces, more than
    the pool (and PostgreSQL) has, while their runs need connections for their work too."""

    def __init__(self, database: Database):
        self._connection = database.engine.connect()
        self._guard = threading.Lock()

    def try_lock(self, key: int, workspace_id: int) -> bool:
        keys = (cast(key, Integer), cast(workspace_id, Integer))
        with self._guard:
            acquired = bool(self._connection.scalar(select(func.pg_try_advisory_lock(*keys))))
            self._connection.commit()
            return acquired

    def unlock(self, key: int, workspace_id: int) -> None:
        keys = (cast(key, Integer), cast(workspace_id, Integer))
        with self._guard:
            self._connection.scalar(select(func.pg_advisory_unlock(*keys)))
            self._connection.commit()

    def close(self) -> None:
        # Invalidated, not returned to the pool: closing it releases any lock left.
        self._connection.invalidate()
        self._connection.close()


@contextmanager
def shared_locks(database: Database) -> Iterator[SharedLockConnection | None]:
    """The connection a run's workspace locks share (PostgreSQL), or None (SQLite)."""
    if not database.is_postgresql:
        yield None
        return
    holder = SharedLockConnection(database)
    try:
        yield holder
    finally:
        holder.close()


@contextmanager
def run_lock(
    database: Database,
    job_kind: str,
    workspace_id: int,
    shared: SharedLockConnection | None = None,
) -> Iterator[bool]:
    """Yields True if this run holds the lock, False if another run does (don't wait)."""
    if database.is_postgresql and shared is not None:
        key = _job_key(job_kind)
        acquired = shared.try_lock(key, workspace_id)
        try:
            yield acquired
        finally:
            if acquired:
                shared.unlock(key, workspace_id)
        return
    if database.is_postgresql:
        with _advisory_lock(database, _job_key(job_kind), workspace_id) as acquired:
            yield acquired
        return
    with _process_locks_guard:
        lock = _process_locks.setdefault((job_kind, workspace_id), threading.Lock())
    acquired = lock.acquire(blocking=False)
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()


@contextmanager
def _advisory_lock(database: Database, key: int, workspace_id: int) -> Iterator[bool]:
    keys = (cast(key, Integer), cast(workspace_id, Integer))
    with database.engine.connect() as connection:
        acquired = bool(connection.scalar(select(func.pg_try_advisory_lock(*keys))))
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    connection.scalar(select(func.pg_advisory_unlock(*keys)))
                    connection.commit()
                except Exception:
                    # Never hand a connection that may still hold the lock back to the pool.
                    connection.invalidate()
                    raise
