"""Migration 0013: the workspace's edit policy and private accounts, up and down, with rows
written before it."""

import pytest
from sqlalchemy import create_engine, inspect, text

from sambot import migrate
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'permissions.db'}"
        return
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    # A name of its own: other migration tests may run at once on the same server.
    url = url.rsplit("/", 1)[0] + "/sambot_test_migration_0013"
    drop_postgres_database(url)
    create_postgres_database(url)
    yield url
    drop_postgres_database(url)


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_0013_adds_the_policy_and_privacy_with_defaults_and_removes_them(database_url):
    migrate.upgrade(database_url, "0015")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (id, team_id, name, timezone, created_at, updated_at) "
                "VALUES (1, 'T1', '', 'UTC', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO accounts (id, workspace_id, name, owner_id, tier, currency, "
                "created_at, updated_at) VALUES "
                "(1, 1, 'Acme', 'U1', 'strategic', 'USD', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    migrate.upgrade(database_url, "0013")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT edit_policy FROM workspaces")) == "team"
        assert not connection.scalar(text("SELECT private FROM accounts"))
    engine.dispose()

    migrate.downgrade(database_url, "0015")
    assert "edit_policy" not in columns(database_url, "workspaces")
    assert "private" not in columns(database_url, "accounts")
    assert "name" in columns(database_url, "accounts"), "the rest of the table is kept"
