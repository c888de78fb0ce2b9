"""The migrations build the schema the models describe, and undo it, on both databases."""

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

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


def test_0015_moves_where_checkpoint_questions_went_onto_the_answers_and_back(
    empty_database_url,
):
    """Up: each answer takes its question's and reminder's place from the deliveries. Down:
    a question sent by hand, known only to its answer, goes back to the deliveries."""
    migrate.upgrade(empty_database_url, "0012")
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO workspaces (id, team_id, name, timezone) VALUES (1, 'T1', 'T', 'UTC')",
                "INSERT INTO accounts (id, workspace_id, name, owner_id, tier, currency) "
                "VALUES (1, 1, 'Acme', 'UDANA', 'key', 'EUR')",
                "INSERT INTO checkpoint_rounds (id, workspace_id, account_id, started_by, "
                "started_on, remind_on, closes_on) "
                "VALUES (7, 1, 1, 'UDANA', '2026-11-02', '2026-11-04', '2026-11-09')",
                "INSERT INTO checkpoint_answers (id, round_id, user_id, asked_at) VALUES "
                "(1, 7, 'UDANA', '2026-11-02 09:00:00'), (2, 7, 'ULEE', '2026-11-02 09:00:00'), "
                "(3, 7, 'UOWEN', '2026-11-02 09:00:00')",
                "INSERT INTO deliveries (workspace_id, job_kind, recipient_id, period_key, "
                "channel_id, message_ts, status, claimed_at) VALUES "
                "(1, 'checkpoints', 'UDANA/a7', '2026-11-02', 'DDANA', '1.1', 'posted', "
                "'2026-11-02 09:00:00'), "
                "(1, 'checkpoints', 'UDANA/r7', '2026-11-04', 'DDANA', '2.1', 'posted', "
                "'2026-11-04 09:00:00'), "
                "(1, 'checkpoints', 'ULEE/a7', '2026-11-02', 'DLEE', '1.2', 'posted', "
                "'2026-11-02 09:00:00'), "
                "(1, 'nudges', 'UOWEN/a7', '2026-11-02', 'DOWEN', '9.9', 'posted', "
                "'2026-11-02 09:00:00')",
            ):
                connection.execute(text(statement))

        migrate.upgrade(empty_database_url, "0015")
        answers = "SELECT user_id, channel_id, question_ts, reminder_ts FROM checkpoint_answers"
        with engine.begin() as connection:
            assert sorted(map(tuple, connection.execute(text(answers + " ORDER BY id")))) == [
                ("UDANA", "DDANA", "1.1", "2.1"),
                ("ULEE", "DLEE", "1.2", None),
                ("UOWEN", None, None, None),  # another job's delivery is not a question
            ]
            # Owen's question sent by hand after the upgrade: only his answer knows it.
            connection.execute(
                text(
                    "UPDATE checkpoint_answers SET channel_id = 'DOWEN', question_ts = '3.3' "
                    "WHERE user_id = 'UOWEN'"
                )
            )

        migrate.downgrade(empty_database_url, "0012")
        columns = {c["name"] for c in inspect(engine).get_columns("checkpoint_answers")}
        assert not columns & {"channel_id", "question_ts", "reminder_ts"}
        with engine.begin() as connection:
            questions = connection.execute(
                text(
                    "SELECT recipient_id, period_key, channel_id, message_ts, status "
                    "FROM deliveries WHERE job_kind = 'checkpoints' ORDER BY recipient_id"
                )
            )
            assert list(map(tuple, questions)) == [
                ("UDANA/a7", "2026-11-02", "DDANA", "1.1", "posted"),
                ("UDANA/r7", "2026-11-04", "DDANA", "2.1", "posted"),
                ("ULEE/a7", "2026-11-02", "DLEE", "1.2", "posted"),
                ("UOWEN/a7", "2026-11-02", "DOWEN", "3.3", "posted"),
            ]
    finally:
        engine.dispose()
