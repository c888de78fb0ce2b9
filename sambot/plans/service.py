from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
