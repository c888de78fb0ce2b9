"""Action items: create, change state, and the lists people ask for."""

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Date, bindparam, case, func, select
from sqlalchemy.orm import Session

from sambot.actions.models import (
    OPEN_STATUSES,
    TEXT_MAX_LENGTH,
    Action,
    ActionLine,
    ActionStatus,
)
from sambot.actions.schemas import ActionCreate, ActionUpdate
from sambot.db import utcnow
from sambot.plans.models import Objective
from sambot.validation import InvalidInput, NotFound, validate

SNOOZE_DAYS = 7


def get(db: Session, *, workspace_id: int, action_id: int) -> Action:
    action = db.get(Action, action_id)
    if action is None or action.workspace_id != workspace_id:
        raise NotFound("That action no longer exists.")
    return action


def _check_objective(db: Session, *, account_id: int, objective_id: int | None) -> None:
    if objective_id is None:
        return
    objective = db.get(Objective, objective_id)
    if objective is None or objective.account_id != account_id:
        raise InvalidInput({"objective_id": "Choose an objective of this account."})


def create(
    db: Session,
    *,
    workspace_id: int,
    account_id: int,
    created_by: str,
    data: Mapping[str, Any],
    today: date | None = None,
) -> Action:
    fields = validate(ActionCreate, data, today=today)
    _check_objective(db, account_id=account_id, objective_id=fields.objective_id)
    action = Action(
        workspace_id=workspace_id,
        account_id=account_id,
        created_by=created_by,
        last_changed_by=created_by,
        status=ActionStatus.OPEN,
        **fields.model_dump(),
    )
    db.add(action)
    db.flush()
    return action


def update(
    db: Session,
    *,
    action: Action,
    changed_by: str,
    data: Mapping[str, Any],
    today: date | None = None,
) -> Action:
    fields = validate(ActionUpdate, data, today=today).model_dump(exclude_unset=True)
    if "objective_id" in fields:
        _check_objective(db, account_id=action.account_id, objective_id=fields["objective_id"])
    status = fields.pop("status", None)
    for key, value in fields.items():
        setattr(action, key, value)
    if status is not None:
        _set_status(action, status)
    action.last_changed_by = changed_by
    db.flush()
    return action


def _set_status(action: Action, status: ActionStatus) -> None:
    action.status = status
    action.completed_at = utcnow() if status == ActionStatus.DONE else None


# Which status may follow which: open work moves freely; a done or cancelled action can
# only be reopened (a cancelled one is never quietly counted as done).
TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset(ActionStatus) - {ActionStatus.OPEN},
    ActionStatus.IN_PROGRESS: frozenset(ActionStatus) - {ActionStatus.IN_PROGRESS},
    ActionStatus.BLOCKED: frozenset(ActionStatus) - {ActionStatus.BLOCKED},
    ActionStatus.DONE: frozenset({ActionStatus.OPEN}),
    ActionStatus.CANCELLED: frozenset({ActionStatus.OPEN}),
}


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput({field: message})
    if len(text) > TEXT_MAX_LENGTH:
        raise InvalidInput({field: f"Must be at most {TEXT_MAX_LENGTH} characters."})
    return text


def change_status(
    db: Session,
    *,
    action: Action,
    changed_by: str,
    status: ActionStatus | str,
    obstacle: str | None = None,
    reason: str | None = None,
) -> Action:
    """Move an action to another status. Blocked says what blocks it (the obstacle);
    cancelled says why (the reason); both stay internal. Blocked again updates the obstacle."""
    try:
        status = ActionStatus(status)
    except ValueError:
        raise InvalidInput({"status": "Choose a status."}) from None
    same_block = status == action.status == ActionStatus.BLOCKED
    if status not in TRANSITIONS[action.status] and not same_block:
        raise InvalidInput(
            {"status": f"This action is {action.status.value.replace('_', ' ')}: reopen it first."}
        )
    if status == ActionStatus.BLOCKED:
        action.obstacle = _required_text(obstacle, "obstacle", "Say what blocks this action.")
    if status == ActionStatus.CANCELLED:
        action.cancel_reason = _required_text(reason, "cancel_reason", "Say why it is cancelled.")
    else:
        action.cancel_reason = None
    _set_status(action, status)
    action.last_changed_by = changed_by
    db.flush()
    return action


def mark_done(db: Session, *, action: Action, changed_by: str) -> Action:
    if action.status == ActionStatus.DONE:
        action.last_changed_by = changed_by
        db.flush()
        return action
    return change_status(db, action=action, changed_by=changed_by, status=ActionStatus.DONE)


# What the action form edits, in the order a change is told.
EDITABLE = (
    "title",
    "detail",
    "obstacle",
    "objective_id",
    "owner_id",
    "due_date",
    "shared_with_client",
)


def edit(
    db: Session,
    *,
    action: Action,
    changed_by: str,
    data: Mapping[str, Any],
    today: date | None = None,
) -> list[str]:
    """Replace what the action form shows (a field left empty is cleared); the names of
    the fields that changed, in EDITABLE's order.

    An unchanged due date may be in the past (the action is late, not wrong); a new one may not.
    """
    fields = validate(ActionCreate, data)
    moved = fields.due_date is not None and fields.due_date != action.due_date
    if moved and today is not None and fields.due_date < today:
        raise InvalidInput({"due_date": "The due date is in the past: pick today or a later day."})
    if action.status == ActionStatus.BLOCKED and not fields.obstacle:
        raise InvalidInput({"obstacle": "A blocked action says what blocks it."})
    if fields.objective_id != action.objective_id:
        _check_objective(db, account_id=action.account_id, objective_id=fields.objective_id)
    new = fields.model_dump()
    changed = [name for name in EDITABLE if getattr(action, name) != new[name]]
    for name in changed:
        setattr(action, name, new[name])
    if "due_date" in changed:
        action.snoozed_until = None
    if changed:
        action.last_changed_by = changed_by
    db.flush()
    return changed


def snooze(db: Session, *, action: Action, changed_by: str, today: date) -> Action:
    """Mute the nudges for a week; the due date stays what was promised."""
    action.snoozed_until = today + timedelta(days=SNOOZE_DAYS)
    action.last_changed_by = changed_by
    db.flush()
    return action


def change_due_date(
    db: Session, *, action: Action, changed_by: str, due_date: Any, today: date
) -> Action:
    action = update(
        db, action=action, changed_by=changed_by, data={"due_date": due_date}, today=today
    )
    action.snoozed_until = None
    return action


def reassign(db: Session, *, action: Action, changed_by: str, owner_id: str) -> Action:
    return update(db, action=action, changed_by=changed_by, data={"owner_id": owner_id})


_actions = Action.__table__


def overdue_first(today):
    """Order: overdue first (oldest due first), then by due date, undated last."""
    due_date = _actions.c.due_date
    overdue = case((due_date < today, 0), else_=1)
    undated = case((due_date.is_(None), 1), else_=0)
    return (overdue, undated, due_date, _actions.c.id)


# The lists asked for most (`/action list`, the Home tab): Core statements over the table,
# built once with their values as parameters. Building and keying a statement costs more
# than running it, and the ORM's loading more than both (bench/README.md).
_TODAY = bindparam("today", type_=Date)
_LINES = select(*(_actions.c[field.name] for field in fields(ActionLine)))
_OPEN_FOR_OWNER = (
    _LINES.where(
        _actions.c.workspace_id == bindparam("workspace_id"),
        _actions.c.owner_id == bindparam("owner_id"),
        _actions.c.status.in_(OPEN_STATUSES),
    )
    .order_by(*overdue_first(_TODAY))
    .limit(bindparam("limit"))
)
_OPEN_FOR_ACCOUNT = (
    _LINES.where(
        _actions.c.account_id == bindparam("account_id"), _actions.c.status.in_(OPEN_STATUSES)
    )
    .order_by(*overdue_first(_TODAY))
    .limit(bindparam("limit"))
)


def list_open_for_owner(
    db: Connection | Session, *, workspace_id: int, owner_id: str, today: date, limit: int = 50
) -> list[ActionLine]:
    """The owner's open actions, overdue first; `db` a session, or a connection when the
    list is all that is read (`Database.reading`)."""
    values = {"workspace_id": workspace_id, "owner_id": owner_id, "today": today, "limit": limit}
    return [ActionLine(*row) for row in db.execute(_OPEN_FOR_OWNER, values)]


def open_counts_by_owner(
    db: Session, *, workspace_id: int, owner_ids: Sequence[str]
) -> dict[str, int]:
    """How many open actions each person owns (0 for none)."""
    counts = dict.fromkeys(owner_ids, 0)
    if counts:
        rows = db.execute(
            select(Action.owner_id, func.count())
            .where(
                Action.workspace_id == workspace_id,
                Action.owner_id.in_(counts),
                Action.status.in_(OPEN_STATUSES),
            )
            .group_by(Action.owner_id)
        )
        counts.update(dict(rows.all()))
    return counts


def list_open_for_account(
    db: Connection | Session, *, account_id: int, today: date, limit: int = 50
) -> list[ActionLine]:
    values = {"account_id": account_id, "today": today, "limit": limit}
    return [ActionLine(*row) for row in db.execute(_OPEN_FOR_ACCOUNT, values)]


def open_and_overdue_counts(db: Session, *, account_id: int, today: date) -> tuple[int, int]:
    open_count, overdue_count = db.execute(
        select(
            func.count(),
            func.count().filter(Action.due_date < today),
        ).where(Action.account_id == account_id, Action.status.in_(OPEN_STATUSES))
    ).one()
    return open_count, overdue_count


def record_message(db: Session, *, action_id: int, channel_id: str, message_ts: str) -> None:
    """Where the action's own message was posted, so it can be updated in place later."""
    action = db.get(Action, action_id)
    action.channel_id, action.message_ts = channel_id, message_ts
    db.flush()
