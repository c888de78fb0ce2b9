"""Database engine, sessions and the declarative base every domain model uses."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
    func,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from sambot.audit.recorder import watch

# Stable constraint names, so Alembic migrations can name what they alter on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        database = url.split(":///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, **{"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20, **kwargs}
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite leaves foreign keys off unless asked; WAL lets the scheduler read while the web writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class DataVersion(Base):
    """One number, raised by every commit that writes what forms offer (sambot/readcache.py)."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # the one row: 1
    version: Mapped[int] = mapped_column(BigInteger)


# What the processes keep between requests: accounts (names, channels, private), their
# teams (who sees a private one) and stakeholders.
KEPT_TABLES = frozenset({"accounts", "team_members", "stakeholders"})
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|WITH)\b", re.IGNORECASE)
_WRITE_IN_WITH = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_KEPT_NAME = re.compile(r"\b(?:" + "|".join(sorted(KEPT_TABLES)) + r")\b", re.IGNORECASE)


def writes_kept_tables(statement: str) -> bool:
    """Whether a statement may write a kept table: any write naming one (a subquery's
    mention too: raising the version once too often costs a read, never a stale form)."""
    write = _WRITE.match(statement)
    if write is None:
        return False
    if write.group(1).upper() == "WITH" and not _WRITE_IN_WITH.search(statement):
        return False
    return _KEPT_NAME.search(statement) is not None


WROTE_KEPT = "sambot_wrote_kept_tables"


def raise_data_version_on_commit(engine: Engine) -> None:
    """Every transaction that writes a kept table raises the data version as it commits, in
    the same transaction. It is watched on the engine, under the ORM, so that bulk and Core
    statements (imports, a snooze of many) count as much as a form's flush."""

    @event.listens_for(engine, "after_cursor_execute")
    def note_write(conn, _cursor, statement, _parameters, _context, _executemany):
        if writes_kept_tables(statement):
            conn.info[WROTE_KEPT] = True

    @event.listens_for(engine, "commit")
    def raise_version(conn):
        if conn.info.pop(WROTE_KEPT, False) and not _failed(conn.connection.dbapi_connection):
            # The driver's own cursor: the transaction is being committed, not used.
            cursor = conn.connection.cursor()
            try:
                cursor.execute("UPDATE data_version SET version = version + 1 WHERE id = 1")
            finally:
                cursor.close()

    @event.listens_for(engine, "rollback")
    def forget_write(conn):
        conn.info.pop(WROTE_KEPT, None)


def _failed(dbapi_connection) -> bool:
    """A PostgreSQL transaction in which a statement failed: it takes no more statements,
    and its COMMIT rolls it back, so nothing is written and the version stays."""
    status = getattr(getattr(dbapi_connection, "info", None), "transaction_status", None)
    return getattr(status, "name", None) == "INERROR"


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, **engine_kwargs):
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        raise_data_version_on_commit(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        watch(self.sessions)  # every write audited (sambot/audit/recorder.py)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for a block that only reads: no session to open and commit (about a
        third of a short list's read, bench/README.md). Nothing is written. An ORM read on
        it goes through a short session of its own (`sambot.readcache.session_on`)."""
        with self.engine.connect() as connection:
            yield connection

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.engine.dispose()


def str_enum(enum_class, name: str) -> SAEnum:
    """An enum stored as its string values, with a CHECK constraint on both databases."""
    return SAEnum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
