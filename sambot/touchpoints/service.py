from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sambot.stakeholders import service as stakeholders
from sambot.touchpoints.models import Touchpoint, TouchpointKind, touchpoint_stakeholders
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


def history(
    db: Session,
    *,
    account_id: int,
    stakeholder_id: int | None = None,
    kind: TouchpointKind | None = None,
    since: date | None = None,
    offset: int = 0,
    limit: int = 10,
) -> tuple[list[Touchpoint], int]:
    """One page of the account's touchpoints, newest first, and how many match in all:
    every one with that stakeholder, of that kind, since that day, as asked."""
    conditions = [Touchpoint.account_id == account_id]
    if stakeholder_id is not None:
        conditions.append(
            Touchpoint.id.in_(
                select(touchpoint_stakeholders.c.touchpoint_id).where(
                    touchpoint_stakeholders.c.stakeholder_id == stakeholder_id
                )
            )
        )
    if kind is not None:
        conditions.append(Touchpoint.kind == kind)
    if since is not None:
        conditions.append(Touchpoint.occurred_on >= since)
    total = db.scalar(select(func.count()).select_from(Touchpoint).where(*conditions))
    page = db.scalars(
        select(Touchpoint)
        .where(*conditions)
        .options(selectinload(Touchpoint.stakeholders))
        .order_by(Touchpoint.occurred_on.desc(), Touchpoint.id.desc())
        .offset(max(offset, 0))
        .limit(limit)
    )
    return list(page), total
