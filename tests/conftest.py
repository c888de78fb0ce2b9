"""Every database test runs twice: on SQLite, and on PostgreSQL when a server answers.

SAMBOT_TEST_POSTGRES_URL names the PostgreSQL database; without it, a server on
127.0.0.1:5432 is used if one answers (database `sambot_test`, created if missing).
SAMBOT_REQUIRE_POSTGRES=1 (set by .ci/run) turns a missing server into an error.
SAMBOT_TEST_BACKENDS=sqlite (a comma-separated list; default both) limits the backends,
for the mutation run, which needs speed more than the second database.
"""

import logging
import os
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

import sambot.models  # noqa: F401
from sambot import migrate
from sambot.db import Base, Database
from sambot.ops import logs

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sambot_test"


def _server_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def postgres_url() -> str | None:
    url = os.environ.get("SAMBOT_TEST_POSTGRES_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    if _server_answers():
        return DEFAULT_POSTGRES_URL
    if os.environ.get("SAMBOT_REQUIRE_POSTGRES") == "1":
        raise RuntimeError("SAMBOT_REQUIRE_POSTGRES=1 but no PostgreSQL server answers")
    return None


def create_postgres_database(url: str) -> None:
    """Create the database named in `url` if it does not exist (connecting to `postgres`)."""
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_postgres_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


BACKENDS = os.environ.get("SAMBOT_TEST_BACKENDS", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A migrated database, once per backend per session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'sambot.db'}"
    else:
        url = postgres_url()
        if url is None:
            pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
        drop_postgres_database(url)
        create_postgres_database(url)
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def database(database_url) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def empty_all_tables(database: Database) -> None:
    # The data version's one row stays, and moves on: nothing kept may outlive the rows.
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name != "data_version"]
    with database.engine.begin() as connection:
        if database.is_postgresql:
            names = ", ".join(table.name for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        connection.execute(text("UPDATE data_version SET version = version + 1"))


@pytest.fixture
def db(database) -> Iterator[Database]:
    """The database, emptied after the test so each test starts clean."""
    yield database
    empty_all_tables(database)


@pytest.fixture(autouse=True)
def logging_restored():
    """A `sambot` command run in-process (`cli.main`) points the root logger at stderr, which
    is that test's captured stream: put the handlers back, so no later line, written by the
    log writer thread whenever it runs, goes to a stream already closed."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    if root.handlers != handlers:
        logs.stop_writer()
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
def session(db):
    with db.session() as session:
        yield session


def pytest_terminal_summary(terminalreporter, config):
    """pytest-randomly's seed, shown even under -q (which hides the header that has it), so
    an order-dependent failure can be run again in the same order."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and getattr(config.option, "randomly_reorganize", False):
        terminalreporter.write_line(f"random order seed: {seed} (again: --randomly-seed={seed})")
