"""`sambot export all` then `sambot import all` into an empty database gives the same
workspace back, on SQLite and on PostgreSQL."""

import io
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from sambot import migrate
from sambot.accounts.models import Account
from sambot.checkpoints.models import CheckpointAnswer, CheckpointRound
from sambot.db import Base, Database
from sambot.ops.transfer import (
    GLOBAL_TABLES,
    SKIPPED_TABLES,
    TransferError,
    export_workspace,
    import_workspace,
    workspace_link,
    write_export,
)
from sambot.shell.demo import load_demo
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Sentiment, Source, Touchpoint, TouchpointKind
from sambot.workspaces.models import Workspace
from tests.conftest import create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty(db, tmp_path):
    """An empty database of the same kind, migrated to the head."""
    if db.is_postgresql:
        url = db.url.rsplit("/", 1)[0] + "/" + db.url.rsplit("/", 1)[1] + "_import"
        drop_postgres_database(url)
        create_postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'imported.db'}"
    migrate.upgrade(url)
    target = Database(url)
    yield target
    target.dispose()
    if db.is_postgresql:
        drop_postgres_database(url)


def counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def test_export_then_import_into_an_empty_database_round_trips(db, empty, tmp_path):
    load_demo(db, timezone="Europe/Paris", today=date(2026, 11, 20))
    with db.session() as s:
        # A stakeholder reporting to one created after them: linked once both exist.
        first, last = s.execute(select(func.min(Stakeholder.id), func.max(Stakeholder.id))).one()
        s.execute(update(Stakeholder).where(Stakeholder.id == first).values(reports_to_id=last))
        s.execute(
            text(
                "INSERT INTO job_runs (job_kind, last_fire_time, started_at, finished_at, "
                "summary) VALUES ('nudges', '2026-11-20 08:00:00', '2026-11-20 08:00:00', "
                "'2026-11-20 08:00:05', 'posted 3')"
            )
        )
    exported = io.StringIO()
    rows = write_export(db, _team(db), exported)
    lines = exported.getvalue().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "sambot-export" and header["revision"] == migrate.current_head()
    assert rows == len(lines) - 1
    tables = {json.loads(line)["table"] for line in lines[1:]}
    assert {"workspaces", "accounts", "stakeholders", "actions", "touchpoints"} <= tables

    # Through the command line, as the runbook does it.
    path = tmp_path / "export.jsonl"
    made = subprocess.run(
        [sys.executable, "-m", "sambot", "export", "all", "-o", str(path)],
        env={"DATABASE_URL": db.url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert f"exported {rows} rows of workspace {_team(db)}" in made.stderr
    assert path.read_text() == exported.getvalue()
    loaded = subprocess.run(
        [sys.executable, "-m", "sambot", "import", "all", str(path)],
        env={"DATABASE_URL": empty.url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert f"imported {rows} rows" in loaded.stderr

    assert counts(empty) == counts(db)
    again = io.StringIO()
    write_export(empty, _team(db), again)
    assert again.getvalue() == exported.getvalue()
    # New rows get new ids after the imported ones.
    with empty.session() as s:
        assert s.scalar(select(func.max(Stakeholder.id))) == last

    with pytest.raises(TransferError, match="already has a workspace"):
        import_workspace(empty, exported.getvalue().splitlines())


def test_an_export_of_another_schema_revision_is_refused(empty):
    header = {"format": "sambot-export", "version": 1, "revision": "0001", "team_id": "T1"}
    with pytest.raises(TransferError, match="schema revision 0001"):
        import_workspace(empty, [json.dumps(header)])
    with pytest.raises(TransferError, match="not a sambot export"):
        import_workspace(empty, ['{"table": "accounts"}'])


def test_every_table_is_global_skipped_or_tied_to_a_workspace():
    """A table of none of these kinds would stop every export: the models must say whose
    its rows are (a workspace_id, or a foreign key to a table that has one)."""
    names = set(Base.metadata.tables)
    assert set(GLOBAL_TABLES) | set(SKIPPED_TABLES) <= names
    untied = [
        table.name
        for table in Base.metadata.sorted_tables
        if table.name not in {"workspaces", *GLOBAL_TABLES, *SKIPPED_TABLES}
        and "workspace_id" not in table.c
        and workspace_link(table) is None
    ]
    assert untied == []


def test_rows_tied_through_a_foreign_key_go_with_their_own_workspace_only(db):
    """The link tables (no workspace_id of their own) of two workspaces side by side: each
    export has all of its own links and none of the other's."""
    workspaces = {team: _workspace_with_links(db, team) for team in ("TA", "TB")}
    links = {
        table.name: workspace_link(table)
        for table in Base.metadata.sorted_tables
        if "workspace_id" not in table.c and workspace_link(table) is not None
    }
    assert {"touchpoint_stakeholders", "checkpoint_answers"} <= set(links)
    for team, workspace_id in workspaces.items():
        records = list(export_workspace(db, team))[1:]
        with db.engine.connect() as connection:
            for table, (column, target) in links.items():
                owned = select(target).where(target.table.c.workspace_id == workspace_id)
                key = list(column.table.primary_key.columns)
                expected = connection.execute(select(*key).where(column.in_(owned))).all()
                exported = [
                    tuple(r["row"][c.name] for c in key) for r in records if r["table"] == table
                ]
                assert sorted(exported) == sorted(map(tuple, expected)) != [], table


def _workspace_with_links(db, team: str) -> int:
    """A workspace with a touchpoint that met a stakeholder and a round with an answer;
    its id."""
    with db.session() as s:
        workspace = Workspace(team_id=team, name=team, timezone="UTC")
        s.add(workspace)
        s.flush()
        account = Account(workspace_id=workspace.id, name=f"Acme {team}", owner_id="U1")
        s.add(account)
        s.flush()
        ids = {"workspace_id": workspace.id, "account_id": account.id}
        person = Stakeholder(**ids, name="Ada")
        s.add(person)
        s.add(
            Touchpoint(
                **ids,
                occurred_on=date(2026, 11, 2),
                kind=TouchpointKind.MEETING,
                summary="Met",
                sentiment=Sentiment.POSITIVE,
                logged_by="U1",
                source=Source.COMMAND,
                stakeholders=[person],
            )
        )
        day = date(2026, 11, 2)
        round_ = CheckpointRound(
            **ids, started_by="U1", started_on=day, remind_on=day, closes_on=day
        )
        round_.answers.append(CheckpointAnswer(user_id="U1", asked_at=datetime(2026, 11, 2)))
        s.add(round_)
        return workspace.id


def _team(db) -> str:
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT team_id FROM workspaces"))
