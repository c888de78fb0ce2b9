from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sambot.actions.models import Action, ActionStatus
from sambot.plans.models import Objective
from sambot.plans.schemas import ObjectiveCreate, ObjectiveUpdate
from sambot.validation import NotFound, validate


def get(db: Session, *, workspace_id: int, objective_id: int) -> Objective:
    objective = db.get(Objective, objective_id)
    if objective is None or objective.workspace_id != workspace_id:
        raise NotFound("That objective does not exist.")
    return objective


def list_for_account(db: Session, *, account_id: int) -> list[Objective]:
    return list(
        db.scalars(
            select(Objective)
            .where(Objective.account_id == account_id)
            .order_by(Objective.horizon, Objective.target_date, Objective.id)
        )
    )


def create(
    db: Session, *, workspace_id: int, account_id: int, data: Mapping[str, Any]
) -> Objective:
    fields = validate(ObjectiveCreate, data)
    objective = Objective(workspace_id=workspace_id, account_id=account_id, **fields.model_dump())
    db.add(objective)
    db.flush()
    return objective


def update(
    db: Session, *, workspace_id: int, objective_id: int, data: Mapping[str, Any]
) -> Objective:
    objective = get(db, workspace_id=workspace_id, objective_id=objective_id)
    for key, value in validate(ObjectiveUpdate, data).model_dump(exclude_unset=True).items():
        setattr(objective, key, value)
    db.flush()
    return objective


def set_status(db: Session, *, workspace_id: int, objective_id: int, status: str) -> Objective:
    return update(db, workspace_id=workspace_id, objective_id=objective_id, data={"status": status})


def progress(db: Session, *, account_id: int) -> dict[int, tuple[int, int]]:
    """Each objective's actions: (done, total). A cancelled action counts in neither."""
    rows = db.execute(
        select(
            Action.objective_id,
            func.count().filter(Action.status == ActionStatus.DONE),
            func.count(),
        )
        .where(
            Action.account_id == account_id,
            Action.objective_id.is_not(None),
            Action.status != ActionStatus.CANCELLED,
        )
        .group_by(Action.objective_id)
    ).all()
    return {objective_id: (done, total) for objective_id, done, total in rows}


def actions_by_objective(
    db: Session, *, account_id: int, per_objective: int = 5
) -> dict[int, list[Action]]:
    """The first actions of each objective (not the cancelled ones), open first, by due date."""
    actions = db.scalars(
        select(Action)
        .where(
            Action.account_id == account_id,
            Action.objective_id.is_not(None),
            Action.status != ActionStatus.CANCELLED,
        )
        .order_by(Action.status == ActionStatus.DONE, Action.due_date, Action.id)
    )
    grouped: dict[int, list[Action]] = {}
    for action in actions:
        listed = grouped.setdefault(action.objective_id, [])
        if len(listed) < per_objective:
            listed.append(action)
    return grouped
