"""Coverage of an account's relationships: red, amber or green, with each failing reason
and its fix. Computed here only; every place that shows coverage reads it from here.

The checks (the article's relationship practices):
- an executive sponsor on our account team;
- the client's economic buyer or decision maker mapped; a champion mapped;
- every key stakeholder (power 4-5) with a relationship owner, and within their cadence;
- every client executive (decision maker, economic buyer) paired with one of our
  executives: an executive sponsor of the account is their relationship owner (checked
  once there is a sponsor: without one, the sponsor's reason says what to do).
All hold: green. One or two fail: amber. Three or more: red.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from sambot.accounts.models import TeamMember, TeamRole
from sambot.relationships.cadence import DECIDERS, Cadences, Touch, touches
from sambot.stakeholders.models import ATTITUDE_LABELS, StakeholderRole

AMBER_AT_MOST = 2  # failing checks that still make amber; more is red
CHAMPION_ATTITUDE = 2
NAMES_IN_A_REASON = 5


class Colour(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Check(StrEnum):
    EXECUTIVE_SPONSOR = "executive_sponsor"
    DECISION_MAKER = "decision_maker"
    CHAMPION = "champion"
    KEY_OWNED = "key_owned"
    KEY_IN_CADENCE = "key_in_cadence"
    EXECUTIVES_PAIRED = "executives_paired"


@dataclass(frozen=True)
class Reason:
    check: Check
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.fix}"


@dataclass(frozen=True)
class Coverage:
    account_id: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def colour(self) -> Colour:
        if not self.reasons:
            return Colour.GREEN
        return Colour.AMBER if len(self.reasons) <= AMBER_AT_MOST else Colour.RED

    @property
    def failing(self) -> set[Check]:
        return {reason.check for reason in self.reasons}


def _names(people: Sequence[Touch]) -> str:
    shown = ", ".join(person.name for person in people[:NAMES_IN_A_REASON])
    more = len(people) - NAMES_IN_A_REASON
    return shown + (f" and {more} more" if more > 0 else "")


def is_champion(person: Touch) -> bool:
    return person.role == StakeholderRole.CHAMPION or person.attitude == CHAMPION_ATTITUDE


def assess(account_id: int, people: Sequence[Touch], sponsors: set[str], today: date) -> Coverage:
    """One account's coverage from its stakeholders and its executive sponsors' user ids."""
    reasons = []
    if not sponsors:
        reasons.append(
            Reason(
                Check.EXECUTIVE_SPONSOR,
                "no executive sponsor on the account team",
                "add one with `/sam team` and give them the Executive sponsor role, then make "
                "them the relationship owner of the client's executives",
            )
        )
    if not any(person.role in DECIDERS for person in people):
        reasons.append(
            Reason(
                Check.DECISION_MAKER,
                "no economic buyer or decision maker mapped",
                "add them with `/sam stakeholder new`",
            )
        )
    if not any(is_champion(person) for person in people):
        reasons.append(
            Reason(
                Check.CHAMPION,
                "no champion mapped",
                "add one with `/sam stakeholder new` (role champion, or attitude "
                f"{ATTITUDE_LABELS[CHAMPION_ATTITUDE]})",
            )
        )
    key = [person for person in people if person.is_key]
    unowned = [person for person in key if not person.relationship_owner_id]
    if unowned:
        reasons.append(
            Reason(
                Check.KEY_OWNED,
                f"key stakeholders with no relationship owner: {_names(unowned)}",
                "give each a relationship owner in their stakeholder form",
            )
        )
    late = [person for person in key if person.past_cadence(today)]
    if late:
        reasons.append(
            Reason(
                Check.KEY_IN_CADENCE,
                f"key stakeholders past their touch cadence: {_names(late)}",
                "meet them and log it with `/touchpoint`",
            )
        )
    unpaired = [
        person
        for person in people
        if person.role in DECIDERS and person.relationship_owner_id not in sponsors
    ]
    # With no executive sponsor nobody can be paired: that one reason (and fix) says it.
    if unpaired and sponsors:
        reasons.append(
            Reason(
                Check.EXECUTIVES_PAIRED,
                f"client executives with no executive of ours paired: {_names(unpaired)}",
                "make an executive sponsor their relationship owner",
            )
        )
    return Coverage(account_id, reasons)


def sponsors_of(db: Session, account_ids: Sequence[int]) -> dict[int, set[str]]:
    rows = db.execute(
        select(TeamMember.account_id, TeamMember.user_id).where(
            TeamMember.account_id.in_(account_ids),
            TeamMember.role == TeamRole.EXECUTIVE_SPONSOR,
        )
    )
    sponsors: dict[int, set[str]] = defaultdict(set)
    for account_id, user_id in rows:
        sponsors[account_id].add(user_id)
    return sponsors


def coverage_of(
    db: Session, *, account_ids: Sequence[int], today: date, cadences: Cadences
) -> dict[int, Coverage]:
    """The coverage of a batch of accounts, in two queries."""
    ids = list(account_ids)
    if not ids:
        return {}
    people = touches(db, account_ids=ids, as_of=today, cadences=cadences)
    sponsors = sponsors_of(db, ids)
    return {
        account_id: assess(
            account_id, people.get(account_id, []), sponsors.get(account_id, set()), today
        )
        for account_id in ids
    }
