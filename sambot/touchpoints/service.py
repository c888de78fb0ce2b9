from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sambot.stakeholders import service as stakeholders
from sambot.touchpoints.models import Touchpoint
from sambot.touchpoints.schemas import TouchpointCreate
from sambot.validation import NotFound, validate


def create(
    db: Session,
    *,
    workspace_id: int,
    account_id: int,
    logged_by: str,
    data: Mapping[str, Any],
    today: date | None = None,
) -> Touchpoint:
    fields = validate(TouchpointCreate, data, today=today)
    people = stakeholders.get_many(
        db, account_id=account_id, stakeholder_ids=fields.stakeholder_ids
    )
    touchpoint = Touchpoint(
        workspace_id=workspace_id,
        account_id=account_id,
        logged_by=logged_by,
        stakeholders=people,
        **fields.model_dump(exclude={"stakeholder_ids"}),
    )
    db.add(touchpoint)
    db.flush()
    return touchpoint


def update(
    db: Session,
    *,
    workspace_id: int,
    touchpoint_id: int,
    account_id: int,
    data: Mapping[str, Any],
    today: date | None = None,
) -> Touchpoint:
    """Replace a touchpoint's details (the "Add details" form); who logged it stays."""
    touchpoint = get(db, workspace_id=workspace_id, touchpoint_id=touchpoint_id)
    fields = validate(TouchpointCreate, {"source": touchpoint.source, **data}, today=today)
    touchpoint.account_id = account_id
    touchpoint.stakeholders = stakeholders.get_many(
        db, account_id=account_id, stakeholder_ids=fields.stakeholder_ids
    )
    for key, value in fields.model_dump(exclude={"stakeholder_ids", "source"}).items():
        if key != "message_link" or value:
            setattr(touchpoint, key, value)
    db.flush()
    return touchpoint


def get(db: Session, *, workspace_id: int, touchpoint_id: int) -> Touchpoint:
    touchpoint = db.get(Touchpoint, touchpoint_id)
    if touchpoint is None or touchpoint.workspace_id != workspace_id:
        raise NotFound("That touchpoint does not exist.")
    return touchpoint


def list_for_account(db: Session, *, account_id: int, limit: int = 20) -> list[Touchpoint]:
    return list(
        db.scalars(
            select(Touchpoint)
            .where(Touchpoint.account_id == account_id)
            .options(selectinload(Touchpoint.stakeholders))
            .order_by(Touchpoint.occurred_on.desc(), Touchpoint.id.desc())
            .limit(limit)
        )
    )


def last_for_account(db: Session, *, account_id: int) -> Touchpoint | None:
    touchpoints = list_for_account(db, account_id=account_id, limit=1)
    return touchpoints[0] if touchpoints else None


def record_message(db: Session, *, touchpoint_id: int, channel_id: str, message_ts: str) -> None:
    touchpoint = db.get(Touchpoint, touchpoint_id)
    touchpoint.channel_id, touchpoint.message_ts = channel_id, message_ts
    db.flush()
