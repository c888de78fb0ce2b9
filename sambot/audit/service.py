"""Reading the audit trail: a page of events for `/sam changes`, every change for export."""

from collections.abc import Collection, Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sambot.audit.models import AuditEvent
from sambot.workspaces.models import Workspace


def _filtered(
    query,
    *,
    workspace_id: int,
    account_id: int | None,
    since: datetime | None,
    hidden: Collection[int] = (),
):
    query = query.where(AuditEvent.workspace_id == workspace_id)
    if account_id is not None:
        query = query.where(AuditEvent.account_id == account_id)
    if hidden:
        query = query.where(AuditEvent.account_id.not_in(hidden))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return query


def page(
    db: Session,
    *,
    workspace_id: int,
    account_id: int | None = None,
    since: datetime | None = None,
    offset: int = 0,
    limit: int = 10,
    hidden: Collection[int] = (),
) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and how many there are in all; events of the
    `hidden` accounts (private ones the reader may not see) left out."""
    where = {
        "workspace_id": workspace_id,
        "account_id": account_id,
        "since": since,
        "hidden": hidden,
    }
    total = db.scalar(_filtered(select(func.count(AuditEvent.id)), **where)) or 0
    events = db.scalars(
        _filtered(select(AuditEvent), **where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(events), total


def export_lines(db: Session, *, since: datetime, team_id: str | None = None) -> Iterator[dict]:
    """Every change since `since`, oldest first: one dict per field changed (an event that
    changed no field, a deletion of an empty record say, is one line with no field)."""
    query = (
        select(AuditEvent, Workspace.team_id)
        .join(Workspace, Workspace.id == AuditEvent.workspace_id)
        .where(AuditEvent.at >= since)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    if team_id is not None:
        query = query.where(Workspace.team_id == team_id)
    for event, team in db.execute(query.execution_options(yield_per=1000)):
        common = {
            "event_id": event.id,
            "at": event.at.isoformat(),
            "team": team,
            "account_id": event.account_id,
            "actor": event.actor,
            "source": event.source,
            "detail": event.detail,
            "entity": event.entity,
            "entity_id": event.entity_id,
            "label": event.label,
            "operation": event.operation,
        }
        for change in event.changes or [{"field": None, "old": None, "new": None}]:
            yield {**common, "field": change["field"], "old": change["old"], "new": change["new"]}
