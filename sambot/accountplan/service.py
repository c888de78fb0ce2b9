"""Reading and changing an account's plan. Every change records who made it and when."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sambot.accountplan.models import (
    Competitor,
    ExpansionArea,
    IndustryFactor,
    PlanSection,
    Section,
)
from sambot.accountplan.schemas import FIELD_SCHEMAS, ITEM_SCHEMAS, Fields
from sambot.actions.models import Action
from sambot.db import utcnow
from sambot.plans.models import Objective
from sambot.reports.period import as_utc
from sambot.touchpoints.models import Touchpoint
from sambot.validation import InvalidInput, NotFound, validate

DEFAULT_STALE_DAYS = 90
# The export and the plan's relationship section show this much of the touchpoint history.
RECENT_TOUCHPOINT_DAYS = 90

ITEM_MODELS = {
    Section.INDUSTRY: IndustryFactor,
    Section.COMPETITION: Competitor,
    Section.RELATIONSHIP: ExpansionArea,
}
Item = IndustryFactor | Competitor | ExpansionArea


@dataclass(frozen=True)
class LastUpdate:
    by: str
    at: datetime


@dataclass
class AccountPlan:
    """Everything the plan shows for one account."""

    account_id: int
    fields: dict[Section, dict[str, Any]]
    updates: dict[Section, LastUpdate]
    factors: list[IndustryFactor]
    competitors: list[Competitor]
    expansion: list[ExpansionArea]
    objectives: list[Objective]
    actions: list[Action]
    touchpoint_count: int
    first_touchpoint_on: date | None
    recent_touchpoints: list[Touchpoint] = field(default_factory=list)

    def items(self, section: Section) -> list[Item]:
        return {
            Section.INDUSTRY: self.factors,
            Section.COMPETITION: self.competitors,
            Section.RELATIONSHIP: self.expansion,
        }[section]

    def actions_of(self, objective_id: int | None) -> list[Action]:
        return [action for action in self.actions if action.objective_id == objective_id]


def is_stale(update: LastUpdate | None, *, today: date, stale_days: int) -> bool:
    """Never updated, or not in the last `stale_days` days."""
    return update is None or as_utc(update.at).date() < today - timedelta(days=stale_days)


# Changes -------------------------------------------------------------------------------------


def _touch(
    db: Session,
    *,
    workspace_id: int,
    account_id: int,
    section: Section,
    updated_by: str,
    now: datetime | None,
) -> PlanSection:
    row = db.scalar(
        select(PlanSection).where(
            PlanSection.account_id == account_id, PlanSection.section == section
        )
    )
    if row is None:
        row = PlanSection(
            workspace_id=workspace_id, account_id=account_id, section=section, fields={}
        )
        db.add(row)
    row.updated_by = updated_by
    row.updated_at = now or utcnow()
    return row


def _form_of(
    schemas: Mapping[Section, type[Fields]],
    section: Section,
    data: Mapping[str, Any],
    *,
    missing: str,
) -> Fields:
    """`data` checked against the section's form; `missing` when the section has no such form."""
    if section not in schemas:
        raise NotFound(missing)
    return validate(schemas[section], data)


def update_fields(
    db: Session,
    *,
    workspace_id: int,
    account_id: int,
    section: Section,
    data: Mapping[str, Any],
    updated_by: str,
    now: datetime | None = None,
) -> PlanSection:
    """Replace a field section's fields (what is left out is cleared)."""
    form = _form_of(FIELD_SCHEMAS, section, data, missing="That part of the plan has no fields.")
    row = _touch(
        db,
        workspace_id=workspace_id,
        account_id=account_id,
        section=section,
        updated_by=updated_by,
        now=now,
    )
    row.fields = form.model_dump(mode="json", exclude_none=True)
    db.flush()
    return row


def get_item(db: Session, *, workspace_id: int, section: Section, item_id: int) -> Item:
    model = ITEM_MODELS.get(section)
    item = db.get(model, item_id) if model else None
    if item is None or item.workspace_id != workspace_id:
        raise NotFound("That entry of the plan no longer exists.")
    return item


def save_item(
    db: Session,
    *,
    workspace_id: int,
    account_id: int,
    section: Section,
    data: Mapping[str, Any],
    updated_by: str,
    item_id: int | None = None,
    now: datetime | None = None,
) -> Item:
    """Add an industry factor, competitor or expansion area, or change one (`item_id`)."""
    form = _form_of(ITEM_SCHEMAS, section, data, missing="That part of the plan has no entries.")
    values = form.model_dump()
    if item_id is not None:
        item = get_item(db, workspace_id=workspace_id, section=section, item_id=item_id)
        if item.account_id != account_id:
            raise NotFound("That entry of the plan no longer exists.")
    _check_unique(db, section=section, account_id=account_id, values=values, item_id=item_id)
    if item_id is None:
        item = ITEM_MODELS[section](workspace_id=workspace_id, account_id=account_id)
        db.add(item)
    for key, value in values.items():
        setattr(item, key, value)
    item.updated_by = updated_by
    _touch(
        db,
        workspace_id=workspace_id,
        account_id=account_id,
        section=section,
        updated_by=updated_by,
        now=now,
    )
    try:
        db.flush()
    except IntegrityError:
        # A concurrent save won the race past the check: it is committed by now, so a
        # fresh session's check names the field that clashed.
        with Session(db.get_bind()) as fresh:
            _check_unique(
                fresh, section=section, account_id=account_id, values=values, item_id=item_id
            )
        raise
    return item


def _check_unique(
    db: Session, *, section: Section, account_id: int, values: dict, item_id: int | None
) -> None:
    """One entry per factor, and per competitor name (whatever its case), in an account."""
    if section == Section.INDUSTRY:
        same = db.scalar(
            select(IndustryFactor).where(
                IndustryFactor.account_id == account_id, IndustryFactor.factor == values["factor"]
            )
        )
        if same is not None and same.id != item_id:
            label = values["factor"].value.replace("_", " ")
            raise InvalidInput(
                {"factor": f"The {label} factor is already in the analysis: edit it instead."}
            )
    if section == Section.COMPETITION:
        same = db.scalar(
            select(Competitor).where(
                Competitor.account_id == account_id,
                func.lower(Competitor.name) == values["name"].lower(),
            )
        )
        if same is not None and same.id != item_id:
            raise InvalidInput({"name": f"{same.name} is already assessed: edit it instead."})


def remove_item(
    db: Session,
    *,
    workspace_id: int,
    section: Section,
    item_id: int,
    removed_by: str,
    now: datetime | None = None,
) -> Item:
    item = get_item(db, workspace_id=workspace_id, section=section, item_id=item_id)
    db.delete(item)
    _touch(
        db,
        workspace_id=workspace_id,
        account_id=item.account_id,
        section=section,
        updated_by=removed_by,
        now=now,
    )
    db.flush()
    return item


# Reading -------------------------------------------------------------------------------------


def last_updates(db: Session, account_ids: Sequence[int]) -> dict[int, dict[Section, LastUpdate]]:
    """Each account's last update per section, in four queries whatever their number.

    The relationship section also moves when a touchpoint is logged (its timeline is the
    touchpoints), and the action plan when an action or objective changes.
    """
    ids = list(account_ids)
    updates: dict[int, dict[Section, LastUpdate]] = defaultdict(dict)
    if not ids:
        return updates

    def later(account_id: int, section: Section, by: str | None, at: datetime | None) -> None:
        if at is None:
            return
        known = updates[account_id].get(section)
        if known is None or as_utc(at) > as_utc(known.at):
            updates[account_id][section] = LastUpdate(by or "", as_utc(at))

    for row in db.execute(
        select(
            PlanSection.account_id,
            PlanSection.section,
            PlanSection.updated_by,
            PlanSection.updated_at,
        ).where(PlanSection.account_id.in_(ids))
    ):
        later(row.account_id, row.section, row.updated_by, row.updated_at)
    for latest in _latest_rows(db, Touchpoint, ids, Touchpoint.created_at, Touchpoint.logged_by):
        later(latest[0], Section.RELATIONSHIP, latest[1], latest[2])
    for latest in _latest_rows(
        db, Action, ids, Action.updated_at, func.coalesce(Action.last_changed_by, Action.created_by)
    ):
        later(latest[0], Section.ACTIONS, latest[1], latest[2])
    for latest in _latest_rows(db, Objective, ids, Objective.updated_at, None):
        later(latest[0], Section.ACTIONS, latest[1], latest[2])
    return updates


def _latest_rows(db: Session, model, ids: list[int], when, who) -> list[tuple]:
    """(account id, who, when) of each account's latest row of `model`."""
    newest = (
        select(model.account_id, func.max(when).label("at"))
        .where(model.account_id.in_(ids))
        .group_by(model.account_id)
        .subquery()
    )
    who_column = who if who is not None else null()
    rows = db.execute(
        select(model.account_id, who_column, when)
        .join(newest, (newest.c.account_id == model.account_id) & (newest.c.at == when))
        .order_by(model.id)
    ).all()
    return [tuple(row) for row in rows]


def plan_for_account(db: Session, *, account_id: int, today: date) -> AccountPlan:
    rows = db.scalars(select(PlanSection).where(PlanSection.account_id == account_id)).all()
    since = today - timedelta(days=RECENT_TOUCHPOINT_DAYS)
    count, first = db.execute(
        select(func.count(), func.min(Touchpoint.occurred_on)).where(
            Touchpoint.account_id == account_id
        )
    ).one()
    return AccountPlan(
        account_id=account_id,
        fields={row.section: dict(row.fields or {}) for row in rows},
        updates=last_updates(db, [account_id]).get(account_id, {}),
        factors=list(
            db.scalars(
                select(IndustryFactor)
                .where(IndustryFactor.account_id == account_id)
                .order_by(IndustryFactor.id)
            )
        ),
        competitors=list(
            db.scalars(
                select(Competitor)
                .where(Competitor.account_id == account_id)
                .order_by(func.lower(Competitor.name), Competitor.id)
            )
        ),
        expansion=list(
            db.scalars(
                select(ExpansionArea)
                .where(ExpansionArea.account_id == account_id)
                .order_by(ExpansionArea.estimated_value.desc().nulls_last(), ExpansionArea.id)
            )
        ),
        objectives=list(
            db.scalars(
                select(Objective)
                .where(Objective.account_id == account_id)
                .order_by(Objective.horizon, Objective.target_date, Objective.id)
            )
        ),
        actions=list(
            db.scalars(
                select(Action)
                .where(Action.account_id == account_id)
                .order_by(Action.due_date.nulls_last(), Action.id)
            )
        ),
        touchpoint_count=count,
        first_touchpoint_on=first,
        recent_touchpoints=list(
            db.scalars(
                select(Touchpoint)
                .where(Touchpoint.account_id == account_id, Touchpoint.occurred_on >= since)
                .order_by(Touchpoint.occurred_on.desc(), Touchpoint.id.desc())
            )
        ),
    )
