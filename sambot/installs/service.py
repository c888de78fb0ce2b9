"""A workspace's life: installed, uninstalled (its jobs stop at once), purged after retention."""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, func, select

from sambot.db import Base, Database, utcnow
from sambot.installs.models import BOTS, INSTALLATIONS
from sambot.workspaces.models import Workspace

log = logging.getLogger("sambot.installs")

# Workspaces uninstalled while this process runs, each with the count of uninstalls so far
# then (not a clock, which tests may move): a run under way checks this before each post,
# so a workspace's jobs stop at once, not at the end of its run.
_stopped: dict[int, int] = {}
_uninstalls = 0
_stopped_lock = threading.Lock()


def uninstalls_so_far() -> int:
    """A mark taken when a run starts, for `stopped_since`."""
    return _uninstalls


def stopped_since(workspace_id: int, mark: int) -> bool:
    """Whether the workspace was uninstalled after a run that began at `mark`."""
    return _stopped.get(workspace_id, -1) >= mark


def installed(
    database: Database,
    *,
    team_id: str | None,
    enterprise_id: str | None,
    name: str,
    timezone: str,
) -> None:
    """Record a (re)installed workspace; an org-wide install records its workspaces as they
    first send a request (their team ids are not known yet)."""
    if not team_id:
        return
    with database.session() as db:
        workspace = db.scalar(select(Workspace).where(Workspace.team_id == team_id))
        if workspace is None:
            db.add(
                Workspace(
                    team_id=team_id, enterprise_id=enterprise_id, name=name, timezone=timezone
                )
            )
            return
        workspace.name = name or workspace.name
        workspace.enterprise_id = enterprise_id or workspace.enterprise_id
        workspace.uninstalled_at = None
    with _stopped_lock:
        _stopped.pop(workspace.id, None)


def uninstalled(
    database: Database,
    *,
    team_id: str | None,
    enterprise_id: str | None,
    store=None,
    now: datetime | None = None,
) -> list[int]:
    """The app was uninstalled (or its bot token revoked) in a workspace, or in every
    workspace of an org (team None): stop their jobs and forget their tokens; keep the
    data until it is purged. The ids of the workspaces stopped."""
    now = now or utcnow()
    with database.session() as db:
        query = select(Workspace).where(Workspace.uninstalled_at.is_(None))
        if team_id:
            query = query.where(Workspace.team_id == team_id)
        elif enterprise_id:
            query = query.where(Workspace.enterprise_id == enterprise_id)
        else:
            return []
        workspaces = list(db.scalars(query))
        for workspace in workspaces:
            workspace.uninstalled_at = now
        ids = [workspace.id for workspace in workspaces]
    global _uninstalls
    with _stopped_lock:
        _stopped.update(dict.fromkeys(ids, _uninstalls))
        _uninstalls += 1
    if store is not None:
        store.remove_workspace(team_id=team_id, enterprise_id=enterprise_id)
    log.info(
        "uninstalled: team %s, enterprise %s (%d workspaces)", team_id, enterprise_id, len(ids)
    )
    return ids


@dataclass
class Purge:
    """What a purge removes (or would): each workspace and its rows per table."""

    workspaces: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if not self.workspaces:
            return ["Nothing to purge."]
        lines = [f"Workspaces: {', '.join(self.workspaces)}"]
        width = max(len(name) for name in self.counts)
        lines += [f"  {name.ljust(width)}  {count}" for name, count in self.counts.items()]
        return lines


def purgeable(
    database: Database,
    *,
    retention_days: int,
    now: datetime | None = None,
    team_id: str | None = None,
    at_once: bool = False,
) -> list[Workspace]:
    """Uninstalled workspaces past their retention (or, `at_once`, uninstalled at all;
    with a `team_id`, that one, even if still installed, only `at_once`)."""
    now = now or utcnow()
    with database.session() as db:
        query = select(Workspace).order_by(Workspace.id)
        if team_id:
            query = query.where(Workspace.team_id == team_id)
            if not at_once:
                query = query.where(Workspace.uninstalled_at.is_not(None))
        else:
            query = query.where(Workspace.uninstalled_at.is_not(None))
        workspaces = list(db.scalars(query))
    if at_once:
        return workspaces
    cutoff = now - timedelta(days=retention_days)
    return [w for w in workspaces if _as_utc(w.uninstalled_at) <= cutoff]


def purge(database: Database, workspaces: list[Workspace], *, dry_run: bool = True) -> Purge:
    """Delete every row of these workspaces, table by table (children first); count them."""
    result = Purge(workspaces=[w.team_id for w in workspaces])
    ids = [w.id for w in workspaces]
    teams = [w.team_id for w in workspaces]
    if not ids:
        return result
    with database.session() as db:
        for table, where in _rows_of(ids, teams):
            count = db.scalar(select(func.count()).select_from(table).where(where)) or 0
            result.counts[table.name] = result.counts.get(table.name, 0) + count
            if not dry_run and count:
                db.execute(delete(table).where(where))
    return result


def _rows_of(ids: list[int], teams: list[str]):
    """(table, condition) for every table holding these workspaces' rows, children first."""
    import sambot.models  # noqa: F401  (every table on the metadata, however we were started)

    tables = {table.name: table for table in Base.metadata.sorted_tables}
    for table in reversed(Base.metadata.sorted_tables):
        if table is Workspace.__table__:
            continue
        if table in (INSTALLATIONS, BOTS):
            yield table, table.c.team_id.in_(teams)
        elif "workspace_id" in table.c:
            yield table, table.c.workspace_id.in_(ids)
        else:
            # A link table (touchpoint_stakeholders): through its parent with a workspace.
            for key in table.foreign_keys:
                parent: Table = tables[key.column.table.name]
                if "workspace_id" in parent.c:
                    chosen = select(key.column).where(parent.c.workspace_id.in_(ids))
                    yield table, key.parent.in_(chosen)
                    break
    yield Workspace.__table__, Workspace.__table__.c.id.in_(ids)


def _as_utc(moment: datetime) -> datetime:
    from sambot.reports.period import as_utc

    return as_utc(moment)
