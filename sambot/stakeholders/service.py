from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sambot.stakeholders.models import Stakeholder
from sambot.stakeholders.schemas import StakeholderCreate, StakeholderUpdate
from sambot.validation import InvalidInput, NotFound, validate


def get(db: Session, *, workspace_id: int, stakeholder_id: int) -> Stakeholder:
    stakeholder = db.get(Stakeholder, stakeholder_id)
    if stakeholder is None or stakeholder.workspace_id != workspace_id:
        raise NotFound("That stakeholder does not exist.")
    return stakeholder


def list_for_account(db: Session, *, account_id: int) -> list[Stakeholder]:
    return list(
        db.scalars(
            select(Stakeholder)
            .where(Stakeholder.account_id == account_id)
            .order_by(Stakeholder.power.desc(), Stakeholder.influence.desc(), Stakeholder.name)
        )
    )


def get_many(db: Session, *, account_id: int, stakeholder_ids: Iterable[int]) -> list[Stakeholder]:
    """The given stakeholders of one account; an id from another account is an input error."""
    wanted = set(stakeholder_ids)
    if not wanted:
        return []
    found = list(
        db.scalars(
            select(Stakeholder).where(
                Stakeholder.account_id == account_id, Stakeholder.id.in_(wanted)
            )
        )
    )
    if len(found) != len(wanted):
        raise InvalidInput({"stakeholder_ids": "Choose stakeholders of this account."})
    return found


def _check_manager(db: Session, *, account_id: int, reports_to_id: int | None) -> None:
    if reports_to_id is None:
        return
    manager = db.get(Stakeholder, reports_to_id)
    if manager is None or manager.account_id != account_id:
        raise InvalidInput({"reports_to_id": "Choose a stakeholder of the same account."})


def create(
    db: Session, *, workspace_id: int, account_id: int, data: Mapping[str, Any]
) -> Stakeholder:
    fields = validate(StakeholderCreate, data)
    _check_manager(db, account_id=account_id, reports_to_id=fields.reports_to_id)
    stakeholder = Stakeholder(
        workspace_id=workspace_id, account_id=account_id, **fields.model_dump()
    )
    db.add(stakeholder)
    db.flush()
    return stakeholder


def update(
    db: Session, *, workspace_id: int, stakeholder_id: int, data: Mapping[str, Any]
) -> Stakeholder:
    stakeholder = get(db, workspace_id=workspace_id, stakeholder_id=stakeholder_id)
    fields = validate(StakeholderUpdate, data).model_dump(exclude_unset=True)
    if fields.get("reports_to_id") == stakeholder.id:
        raise InvalidInput({"reports_to_id": "A stakeholder cannot report to themselves."})
    _check_manager(db, account_id=stakeholder.account_id, reports_to_id=fields.get("reports_to_id"))
    for key, value in fields.items():
        setattr(stakeholder, key, value)
    db.flush()
    return stakeholder
