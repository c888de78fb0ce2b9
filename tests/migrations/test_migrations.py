"""The migrations build the schema the models describe, and undo it, on both databases."""

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from sambot import migrate
from sambot.db import Base, make_engine
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    url = url.rsplit("/", 1)[0] + "/sambot_test_migrations"
    drop_postgres_database(url)
    create_postgres_database(url)
    yield url
    drop_postgres_database(url)


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_and_upgrade_again(empty_database_url):
    expected = set(Base.metadata.tables)

    migrate.upgrade(empty_database_url)
    assert table_names(empty_database_url) == expected

    migrate.downgrade(empty_database_url, "base")
    assert table_names(empty_database_url) == set()

    migrate.upgrade(empty_database_url)
    assert table_names(empty_database_url) == expected


def test_models_and_migrations_agree(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    # SQLite cannot reflect the case-insensitive name index; the migration writes it by hand.
    with engine.connect() as connection, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_revision_files_are_dated():
    names = [path.name for path in (migrate.MIGRATIONS / "versions").glob("*.py")]
    assert names, "no migration files"
    assert all(name[:8].isdigit() and name[8] == "_" for name in names)
