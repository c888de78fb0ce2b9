"""Touch cadences: how often each stakeholder should be met, and who is past it.

A stakeholder's clock is their last touchpoint (any touchpoint that names them resets it);
someone never met is past cadence at once. The cadence is the stakeholder's own when set,
else a default by role and power: key decision makers and economic buyers (power 4-5)
more often than everyone else. Key stakeholders with no relationship owner are the
account owner's to chase.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sambot.accounts.models import Account
from sambot.audit import recorder as audit
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from sambot.touchpoints.models import Touchpoint, touchpoint_stakeholders

KEY_POWER = 4
DECIDERS = (StakeholderRole.DECISION_MAKER, StakeholderRole.ECONOMIC_BUYER)
SNOOZE_DAYS = 14


@dataclass(frozen=True)
class Cadences:
    """The default cadences, in days (SAMBOT_CADENCE_*)."""

    key_decision_maker_days: int = 30
    default_days: int = 60

    @classmethod
    def from_settings(cls, settings) -> "Cadences":
        return cls(
            key_decision_maker_days=settings.sambot_cadence_key_decision_maker_days,
            default_days=settings.sambot_cadence_default_days,
        )

    def days_for(self, *, role: StakeholderRole, power: int, own: int | None = None) -> int:
        if own:
            return own
        if power >= KEY_POWER and role in DECIDERS:
            return self.key_decision_maker_days
        return self.default_days


DEFAULT_CADENCES = Cadences()


@dataclass(frozen=True, slots=True)
class Touch:
    """A stakeholder with their cadence and last touch, as of a day."""

    id: int
    account_id: int
    name: str
    title: str | None
    role: StakeholderRole
    power: int
    influence: int
    interest: int
    attitude: int
    relationship_owner_id: str | None
    reports_to_id: int | None
    cadence_days: int
    last_touch_on: date | None
    snoozed_until: date | None

    @property
    def is_key(self) -> bool:
        return self.power >= KEY_POWER

    @property
    def due_on(self) -> date | None:
        """The day the next touch is due; None when never met (due already)."""
        return (
            self.last_touch_on + timedelta(days=self.cadence_days) if self.last_touch_on else None
        )

    def past_cadence(self, today: date) -> bool:
        return self.due_on is None or self.due_on < today

    def days_since(self, today: date) -> int | None:
        return (today - self.last_touch_on).days if self.last_touch_on else None

    def snoozed(self, today: date) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > today


def touches(
    db: Session,
    *,
    account_ids: Sequence[int],
    as_of: date,
    cadences: Cadences,
    key_only: bool = False,
) -> dict[int, list[Touch]]:
    """Each account's stakeholders still with the client, with their cadence and last touch
    on or before `as_of` (in one query), the most powerful first."""
    if not account_ids:
        return {}
    link = touchpoint_stakeholders
    last_touch = (
        select(link.c.stakeholder_id, func.max(Touchpoint.occurred_on).label("last_touch"))
        .join(Touchpoint, Touchpoint.id == link.c.touchpoint_id)
        .where(Touchpoint.account_id.in_(account_ids), Touchpoint.occurred_on <= as_of)
        .group_by(link.c.stakeholder_id)
        .subquery()
    )
    query = (
        select(Stakeholder, last_touch.c.last_touch)
        .outerjoin(last_touch, last_touch.c.stakeholder_id == Stakeholder.id)
        # Someone who left the company is out of the map, coverage and reminders.
        .where(Stakeholder.account_id.in_(account_ids), Stakeholder.left_on.is_(None))
        .order_by(
            Stakeholder.account_id,
            Stakeholder.power.desc(),
            Stakeholder.influence.desc(),
            Stakeholder.name,
            Stakeholder.id,
        )
    )
    if key_only:
        query = query.where(Stakeholder.power >= KEY_POWER)
    found: dict[int, list[Touch]] = defaultdict(list)
    for person, last in db.execute(query):
        found[person.account_id].append(_touch(person, last, cadences))
    return found


def _touch(person: Stakeholder, last: date | None, cadences: Cadences) -> Touch:
    return Touch(
        id=person.id,
        account_id=person.account_id,
        name=person.name,
        title=person.title,
        role=person.role,
        power=person.power,
        influence=person.influence,
        interest=person.interest,
        attitude=person.attitude,
        relationship_owner_id=person.relationship_owner_id,
        reports_to_id=person.reports_to_id,
        cadence_days=cadences.days_for(
            role=person.role, power=person.power, own=person.cadence_days
        ),
        last_touch_on=last,
        snoozed_until=person.cadence_snoozed_until,
    )


def recipient_of(touch: Touch, account_owner_id: str) -> str | None:
    """Who is prompted about this stakeholder: their relationship owner, else the account
    owner for a key stakeholder; nobody for the others."""
    if touch.relationship_owner_id:
        return touch.relationship_owner_id
    return account_owner_id if touch.is_key else None


@dataclass(frozen=True)
class Overdue:
    """A stakeholder past cadence, in someone's weekly reminder."""

    account_id: int
    account_name: str
    touch: Touch
    # True when the account owner gets it because the key stakeholder has no owner.
    unowned: bool


@dataclass
class CadenceDigest:
    recipient_id: str
    overdue: list[Overdue]


def accounts_with_stakeholders(db: Session, *, workspace_id: int) -> list[tuple[int, str, str]]:
    """Live accounts that have stakeholders: (id, name, owner), by id."""
    return [
        tuple(row)
        for row in db.execute(
            select(Account.id, Account.name, Account.owner_id)
            .where(
                Account.workspace_id == workspace_id,
                Account.archived.is_(False),
                Account.id.in_(select(Stakeholder.account_id).distinct()),
            )
            .order_by(Account.id)
        )
    ]


def overdue_by_recipient(
    db: Session,
    *,
    accounts: Sequence[tuple[int, str, str]],
    today: date,
    cadences: Cadences,
) -> dict[str, list[Overdue]]:
    """For a batch of accounts: each person to prompt, and their stakeholders past cadence
    (not snoozed), the longest unmet first."""
    found = touches(db, account_ids=[a[0] for a in accounts], as_of=today, cadences=cadences)
    by_recipient: dict[str, list[Overdue]] = defaultdict(list)
    for account_id, account_name, owner_id in accounts:
        for touch in found.get(account_id, []):
            recipient = recipient_of(touch, owner_id)
            if recipient is None or touch.snoozed(today) or not touch.past_cadence(today):
                continue
            by_recipient[recipient].append(
                Overdue(account_id, account_name, touch, unowned=not touch.relationship_owner_id)
            )
    return by_recipient


def merge(into: dict[str, list[Overdue]], more: dict[str, list[Overdue]]) -> None:
    for recipient, items in more.items():
        into.setdefault(recipient, []).extend(items)


def digests(by_recipient: dict[str, list[Overdue]]) -> list[CadenceDigest]:
    """One digest per person (by user id), the longest unmet first (never met before all)."""
    result = []
    for recipient in sorted(by_recipient):
        items = sorted(
            by_recipient[recipient],
            key=lambda o: (
                o.touch.due_on or date.min,
                -o.touch.power,
                o.account_name.lower(),
                o.touch.name.lower(),
                o.touch.id,
            ),
        )
        result.append(CadenceDigest(recipient, items))
    return result


def snooze(db: Session, *, stakeholder: Stakeholder, today: date) -> date:
    """Mute the reminder about this stakeholder for two weeks; returns the day it ends."""
    until = today + timedelta(days=SNOOZE_DAYS)
    db.execute(
        update(Stakeholder)
        .where(Stakeholder.id == stakeholder.id)
        .values(cadence_snoozed_until=until, updated_at=Stakeholder.updated_at)
        .execution_options(synchronize_session=False)
    )
    # A bulk statement skips the unit of work: its audit event is written here.
    audit.record(
        db,
        workspace_id=stakeholder.workspace_id,
        account_id=stakeholder.account_id,
        entity="stakeholder",
        entity_id=stakeholder.id,
        label=stakeholder.name,
        operation=audit.UPDATED,
        changes=[("cadence_snoozed_until", stakeholder.cadence_snoozed_until, until)],
    )
    return until
