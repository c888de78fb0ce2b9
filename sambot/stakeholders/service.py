from collections.abc import Iterable, Mapping
from datetime import date
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


def list_for_account(
    db: Session, *, account_id: int, include_left: bool = False
) -> list[Stakeholder]:
    """The account's stakeholders, most powerful first; those who left only when asked."""
    query = select(Stakeholder).where(Stakeholder.account_id == account_id)
    if not include_left:
        query = query.where(Stakeholder.left_on.is_(None))
    return list(
        db.scalars(
            query.order_by(Stakeholder.power.desc(), Stakeholder.influence.desc(), Stakeholder.name)
        )
    )


def find_by_name(db: Session, *, account_id: int, name: str) -> Stakeholder | None:
    """The account's stakeholder with that name (whatever its case), or the only one whose
    name contains it; those who left are found too, for their history."""
    wanted = name.strip().lower()
    people = list_for_account(db, account_id=account_id, include_left=True)
    exact = [person for person in people if person.name.lower() == wanted]
    partial = [person for person in people if wanted and wanted in person.name.lower()]
    found = exact or partial
    return found[0] if len(found) == 1 else None


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


def _check_manager(
    db: Session, *, account_id: int, reports_to_id: int | None, stakeholder_id: int | None = None
) -> None:
    """The manager is of the same account, and the reporting line forms no loop."""
    if reports_to_id is None:
        return
    manager = db.get(Stakeholder, reports_to_id)
    if manager is None or manager.account_id != account_id:
        raise InvalidInput({"reports_to_id": "Choose a stakeholder of the same account."})
    if stakeholder_id is None:
        return  # a new stakeholder has nobody reporting to them yet
    seen: set[int] = set()
    above: Stakeholder | None = manager
    while above is not None and above.id not in seen:
        if above.id == stakeholder_id:
            raise InvalidInput(
                {
                    "reports_to_id": f"{manager.name} already reports to this person, "
                    "directly or through others: that would be a loop."
                }
            )
        seen.add(above.id)
        above = db.get(Stakeholder, above.reports_to_id) if above.reports_to_id else None


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
    _check_manager(
        db,
        account_id=stakeholder.account_id,
        reports_to_id=fields.get("reports_to_id"),
        stakeholder_id=stakeholder.id,
    )
    for key, value in fields.items():
        if value is None and key in REQUIRED:
            continue  # an empty required field keeps its value
        setattr(stakeholder, key, value)
    db.flush()
    return stakeholder


REQUIRED = ("name", "role", "power", "influence", "interest", "attitude")


def set_left(db: Session, *, stakeholder: Stakeholder, left: bool, today: date) -> Stakeholder:
    """Left the company (or back): kept with its touchpoints, out of lists and reports."""
    if left and stakeholder.left_on is None:
        stakeholder.left_on = today
    elif not left:
        stakeholder.left_on = None
    db.flush()
    return stakeholder
