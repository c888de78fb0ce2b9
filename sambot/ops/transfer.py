"""`sambot export all` and `sambot import all`: every table of one workspace as JSON lines.

The first line says what follows (format, schema revision, workspace); each next line is
one row: `{"table": ..., "row": {...}}`, tables in the order their foreign keys need.
Rows keep their ids, so an import into an empty database gives the same database back.
The scheduler's state (job_runs) and the kept message bodies (kept_messages) go along.
"""

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO

from sqlalchemy import Column, Date, DateTime, Numeric, Table, func, select, text

import sambot.models  # noqa: F401  (every table on the metadata)
from sambot.db import Base, Database
from sambot.ops.health import expected_revision

FORMAT = "sambot-export"
VERSION = 1
GLOBAL_TABLES = ("job_runs", "kept_messages")
# Slack's event ids of the last hour: nothing to move. The OAuth install's tables (bot
# tokens, install states): a token never leaves in an export file; a workspace imported
# into an OAuth deployment is installed again there.
# The data version belongs to the database, not to a workspace: the import's writes raise it.
SKIPPED_TABLES = (
    "seen_events",
    "slack_installations",
    "slack_bots",
    "slack_oauth_states",
    "data_version",
)


class TransferError(Exception):
    """Why an export or import cannot be made, in one line."""


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def workspace_link(table: Table) -> tuple[Column, Column] | None:
    """How a table with no workspace_id of its own belongs to one: its first foreign key to
    a table that has one (a touchpoint's stakeholder links, a round's answers), as (the
    column, the column it points at). Read from the models, so that a new table of this
    kind goes in the export without being listed here."""
    for column in table.columns:
        for key in column.foreign_keys:
            if "workspace_id" in key.column.table.c:
                return column, key.column
    return None


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def export_workspace(database: Database, team_id: str) -> Iterator[dict]:
    """The header, then every row of the workspace, as JSON-ready dicts."""
    workspaces = Base.metadata.tables["workspaces"]
    with database.engine.connect() as connection:
        workspace_id = connection.scalar(
            select(workspaces.c.id).where(workspaces.c.team_id == team_id)
        )
        if workspace_id is None:
            raise TransferError(f"no workspace with team id {team_id!r}")
        yield {
            "format": FORMAT,
            "version": VERSION,
            "revision": expected_revision(),
            "team_id": team_id,
        }
        for table in _tables():
            if table.name in SKIPPED_TABLES:
                continue
            query = select(table)
            if table.name == "workspaces":
                query = query.where(table.c.id == workspace_id)
            elif "workspace_id" in table.c:
                query = query.where(table.c.workspace_id == workspace_id)
            elif table.name in GLOBAL_TABLES:
                pass
            elif link := workspace_link(table):
                column, target = link
                owned = select(target).where(target.table.c.workspace_id == workspace_id)
                query = query.where(column.in_(owned))
            else:
                raise TransferError(f"table {table.name} is not tied to a workspace")
            query = query.order_by(*table.primary_key.columns)
            for row in connection.execute(query).mappings():
                yield {"table": table.name, "row": {k: _plain(v) for k, v in row.items()}}


def write_export(database: Database, team_id: str, out: IO[str]) -> int:
    """Writes the export; the number of rows."""
    rows = -1
    for record in export_workspace(database, team_id):
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        rows += 1
    return rows


def _typed(table: Table, row: dict) -> dict:
    typed = {}
    for name, value in row.items():
        if name not in table.c:
            raise TransferError(f"{table.name}: unknown column {name!r}")
        kind = table.c[name].type
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(kind, Numeric):
            value = Decimal(value)
        typed[name] = value
    return typed


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def import_workspace(database: Database, lines: Iterable[str]) -> int:
    """Loads an export into a database at the same schema revision with no workspace in
    it yet; all or nothing. The number of rows."""
    records = (json.loads(line) for line in lines if line.strip())
    header = next(records, None)
    if not header or header.get("format") != FORMAT or header.get("version") != VERSION:
        raise TransferError("not a sambot export (its first line is not a sambot header)")
    if header["revision"] != expected_revision():
        raise TransferError(
            f"the export is at schema revision {header['revision']}, this version at "
            f"{expected_revision()}: import it with the version that made it"
        )
    tables = Base.metadata.tables
    count = 0
    with database.engine.begin() as connection:
        if connection.scalar(select(func.count()).select_from(tables["workspaces"])):
            raise TransferError("the database already has a workspace: import into an empty one")
        later: list[tuple[Table, dict, dict]] = []
        for record in records:
            table = tables.get(record.get("table"))
            if table is None:
                raise TransferError(f"unknown table {record.get('table')!r}")
            row = _typed(table, record["row"])
            # A row pointing at a row of its own table may come before it: link it after.
            deferred = {c: row.pop(c) for c in _self_references(table) if row.get(c) is not None}
            if table.name in GLOBAL_TABLES:
                key = {c.name: row[c.name] for c in table.primary_key.columns}
                exists = connection.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(*(table.c[k] == v for k, v in key.items()))
                )
                if exists:
                    continue
            connection.execute(table.insert().values(**row))
            if deferred:
                later.append((table, row, deferred))
            count += 1
        for table, row, deferred in later:
            key = [table.c[c.name] == row[c.name] for c in table.primary_key.columns]
            # Keep the row's own updated_at (a column with onupdate would be set to now).
            kept = {c.name: row[c.name] for c in table.c if c.onupdate is not None}
            connection.execute(table.update().where(*key).values(**deferred, **kept))
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
    return count


def _advance_sequences(connection) -> None:
    """Rows came with their ids: the id sequences start after them."""
    for table in _tables():
        if "id" in table.c and table.c.id.autoincrement is not False:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
            )
