"""`sambot export all` then `sambot import all` into an empty database gives the same
workspace back, on SQLite and on PostgreSQL."""

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from sambot import migrate
from sambot.db import Base, Database
from sambot.ops.transfer import TransferError, import_workspace, write_export
from sambot.shell.demo import load_demo
from sambot.stakeholders.models import Stakeholder
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


def _team(db) -> str:
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT team_id FROM workspaces"))
