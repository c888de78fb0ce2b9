"""Records every change to the audited models, in the transaction that makes it.

One `after_flush` hook per session factory: by then new records have their ids, and the
session still shows what was new, changed or deleted, with each attribute's history. The
rows are inserted on the flush's own connection, so a rollback takes them away with the
change. Bulk statements (which skip the unit of work) call `record` themselves.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, DateTime, column, event, inspect, table
from sqlalchemy.orm import Session, sessionmaker

from sambot.audit.context import Acting, current

# The audit table as the recorder writes it: named here, not imported, so that the
# database module can watch its sessions without importing every model (a circle).
AUDIT_EVENTS = table(
    "audit_events",
    column("workspace_id"),
    column("account_id"),
    column("actor"),
    column("source"),
    column("detail"),
    column("entity"),
    column("entity_id"),
    column("label"),
    column("operation"),
    column("changes", JSON),
    column("at", DateTime(timezone=True)),
)

CREATED, UPDATED, DELETED = "created", "updated", "deleted"
# Bookkeeping, not content: never a change.
# Delivery, JobRun, SeenEvent, KeptMessage and the installation tables, with their
# tokens, are not audited at all.
NOISE = {"id", "workspace_id", "created_at", "updated_at"}
# A record created or deleted is the event's account's: only a move to another is a change.
MOVES_ONLY = {"account_id"}


@dataclass(frozen=True)
class Audited:
    entity: str
    label: Callable[[Any], str | None]
    skip: frozenset[str] = frozenset()
    # Collections whose membership is content (a touchpoint's stakeholders): their names.
    collections: tuple[str, ...] = ()
    account_id: Callable[[Any], int | None] = field(
        default=lambda record: getattr(record, "account_id", None)
    )
    workspace_id: Callable[[Any], int | None] = field(
        default=lambda record: getattr(record, "workspace_id", None)
    )
    # A table mostly of bookkeeping (the workspace row): only these columns' updates count.
    only: frozenset[str] | None = None


# Audited tables (by name: the recorder imports no model).
AUDITED: dict[str, Audited] = {
    "accounts": Audited("account", lambda a: a.name, account_id=lambda a: a.id),
    "team_members": Audited("team member", lambda m: m.user_id and f"<@{m.user_id}>"),
    "actions": Audited(
        "action",
        lambda a: a.title,
        # Who changed it last and where its message is: the audit itself says who.
        skip=frozenset({"last_changed_by", "channel_id", "message_ts", "last_nudged_on"}),
    ),
    "stakeholders": Audited("stakeholder", lambda s: s.name),
    "touchpoints": Audited(
        "touchpoint",
        lambda t: t.kind and f"{t.kind} on {t.occurred_on}",
        skip=frozenset({"channel_id", "message_ts"}),
        collections=("stakeholders",),
    ),
    "plan_sections": Audited("plan section", lambda p: p.section, skip=frozenset({"updated_by"})),
    "industry_factors": Audited(
        "industry factor", lambda f: f.factor, skip=frozenset({"updated_by"})
    ),
    "competitors": Audited("competitor", lambda c: c.name, skip=frozenset({"updated_by"})),
    "expansion_areas": Audited("expansion area", lambda e: e.area, skip=frozenset({"updated_by"})),
    "objectives": Audited("objective", lambda o: o.title),
    "checkpoint_schedules": Audited(
        "checkpoint schedule", lambda s: None, skip=frozenset({"set_by", "set_at"})
    ),
    "checkpoint_rounds": Audited("checkpoint", lambda r: r.started_on and f"of {r.started_on}"),
    "checkpoint_answers": Audited(
        "checkpoint answer",
        lambda a: a.user_id and f"<@{a.user_id}>",
        skip=frozenset({"asked_at"}),
        account_id=lambda a: a.round.account_id,
        workspace_id=lambda a: a.round.workspace_id,
    ),
    "programme_channels": Audited(
        "programme channel", lambda p: None, skip=frozenset({"set_by", "set_at"})
    ),
    "workspaces": Audited(
        "workspace settings",
        lambda w: None,
        account_id=lambda w: None,
        workspace_id=lambda w: w.id,
        only=frozenset({"edit_policy"}),
    ),
}


def plain(value: Any) -> Any:
    """A value as JSON can hold it: enums by value, dates and amounts as text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    return value


def _change(name: str, old: Any, new: Any) -> list[dict]:
    old, new = plain(old), plain(new)
    if old == new:
        return []
    if isinstance(old, dict) or isinstance(new, dict):
        # A JSON column of named fields (a plan section): one change per field.
        old, new = old or {}, new or {}
        return [
            {"field": key, "old": old.get(key), "new": new.get(key)}
            for key in list(dict.fromkeys([*old, *new]))
            if old.get(key) != new.get(key)
        ]
    return [{"field": name, "old": old, "new": new}]


def _columns(record) -> list[str]:
    return [attr.key for attr in inspect(type(record)).column_attrs]


def _names(items: Iterable) -> list[str]:
    return sorted(str(getattr(item, "name", item)) for item in items)


def _changes(record, audited: Audited, operation: str) -> list[dict]:
    state = inspect(record)
    skip = NOISE | audited.skip | (MOVES_ONLY if operation != UPDATED else set())
    changes: list[dict] = []
    if audited.only is not None and operation != UPDATED:
        return changes
    for name in _columns(record):
        if name in skip or (audited.only is not None and name not in audited.only):
            continue
        if operation == CREATED:
            value = state.dict.get(name)
            if value is not None and value != "" and value is not False:
                changes += _change(name, None, value)
        elif operation == DELETED:
            value = state.dict.get(name)
            if value is not None and value != "":
                changes += _change(name, value, None)
        else:
            history = state.attrs[name].history
            if history.has_changes():
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                changes += _change(name, old, new)
    for name in audited.collections:
        history = state.attrs[name].history
        if history.has_changes() and operation != DELETED:
            before = _names([*history.unchanged, *history.deleted])
            after = _names([*history.unchanged, *history.added])
            if before != after:
                changes.append({"field": name, "old": before or None, "new": after or None})
    return changes


def _event_row(record, audited: Audited, operation: str, acting: Acting, now) -> dict | None:
    changes = _changes(record, audited, operation)
    if (operation == UPDATED or audited.only is not None) and not changes:
        return None
    workspace_id = audited.workspace_id(record)
    if workspace_id is None:
        return None
    # The primary key as flushed (a new record's identity is only set after the flush).
    state, mapper = inspect(record), inspect(type(record))
    key = mapper.get_property_by_column(mapper.primary_key[0]).key
    entity_id = state.dict.get(key)
    label = audited.label(record)
    return {
        "workspace_id": workspace_id,
        "account_id": audited.account_id(record),
        "actor": acting.actor,
        "source": acting.source.value,
        "detail": acting.detail,
        "entity": audited.entity,
        "entity_id": entity_id,
        "label": str(plain(label))[:200] if label is not None else None,
        "operation": operation,
        "changes": changes,
        "at": now,
    }


def _deleted(session: Session, flush_context) -> list:
    """Deleted records: those asked for, and orphans the flush deleted by cascade (a team
    member taken off `account.team`), which only the unit of work knows."""
    deleted = list(session.deleted)
    for state, (is_delete, list_only) in getattr(flush_context, "states", {}).items():
        record = state.obj()
        if is_delete and not list_only and record is not None and record not in deleted:
            deleted.append(record)
    return deleted


def _after_flush(session: Session, flush_context) -> None:
    acting, now = current(), datetime.now(UTC)
    rows = []
    for records, operation in (
        (session.new, CREATED),
        (session.dirty, UPDATED),
        (_deleted(session, flush_context), DELETED),
    ):
        for record in records:
            audited = AUDITED.get(getattr(type(record), "__tablename__", ""))
            if audited is None:
                continue
            row = _event_row(record, audited, operation, acting, now)
            if row is not None:
                rows.append(row)
    if rows:
        session.connection().execute(AUDIT_EVENTS.insert(), rows)


def watch(sessions: sessionmaker) -> None:
    """Audit every session this factory makes."""
    if not event.contains(sessions, "after_flush", _after_flush):
        event.listen(sessions, "after_flush", _after_flush)


def record(
    session: Session,
    *,
    workspace_id: int,
    entity: str,
    operation: str,
    changes: list[tuple[str, Any, Any]],
    account_id: int | None = None,
    entity_id: int | None = None,
    label: str | None = None,
    acting: Acting | None = None,
) -> None:
    """One event written by a bulk statement, in the session's transaction."""
    record_many(
        session,
        [
            {
                "workspace_id": workspace_id,
                "account_id": account_id,
                "entity": entity,
                "entity_id": entity_id,
                "label": label,
                "operation": operation,
                "changes": changes,
            }
        ],
        acting=acting,
    )


def record_many(session: Session, events: list[dict], *, acting: Acting | None = None) -> None:
    """Events of bulk statements: dicts of `record`'s arguments, changes as tuples."""
    acting, now = acting or current(), datetime.now(UTC)
    rows = []
    for item in events:
        changes = [c for name, old, new in item["changes"] for c in _change(name, old, new)]
        if item["operation"] == UPDATED and not changes:
            continue
        rows.append(
            {
                **item,
                "label": item.get("label") and str(item["label"])[:200],
                "changes": changes,
                "actor": acting.actor,
                "source": acting.source.value,
                "detail": acting.detail,
                "at": now,
            }
        )
    for start in range(0, len(rows), 2000):
        session.connection().execute(AUDIT_EVENTS.insert(), rows[start : start + 2000])
