"""Rows for the relationship tests: stakeholders, touchpoints with them, team roles."""

from datetime import date

from sambot.accounts.models import TeamMember, TeamRole
from sambot.relationships.cadence import Touch
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from sambot.touchpoints.models import Source, Touchpoint, TouchpointKind


def person(db, workspace_id, account_id, name, **fields) -> int:
    with db.session() as s:
        row = Stakeholder(workspace_id=workspace_id, account_id=account_id, name=name, **fields)
        s.add(row)
        s.flush()
        return row.id


def met(db, workspace_id, account_id, on: date, *stakeholder_ids: int) -> int:
    with db.session() as s:
        touchpoint = Touchpoint(
            workspace_id=workspace_id,
            account_id=account_id,
            occurred_on=on,
            kind=TouchpointKind.MEETING,
            summary="Met",
            logged_by="ULOG",
            source=Source.MODAL,
        )
        touchpoint.stakeholders = [s.get(Stakeholder, i) for i in stakeholder_ids]
        s.add(touchpoint)
        s.flush()
        return touchpoint.id


def team(db, workspace_id, account_id, user_id, role=TeamRole.EXECUTIVE_SPONSOR) -> None:
    with db.session() as s:
        s.add(
            TeamMember(workspace_id=workspace_id, account_id=account_id, user_id=user_id, role=role)
        )


def touch(n: int, *, power=3, interest=3, influence=3, attitude=0, name=None, **fields) -> Touch:
    """A stakeholder as the map sees it, without a database."""
    values = {
        "id": n,
        "account_id": 1,
        "name": name or f"Person {n}",
        "title": None,
        "role": StakeholderRole.OTHER,
        "power": power,
        "influence": influence,
        "interest": interest,
        "attitude": attitude,
        "relationship_owner_id": None,
        "reports_to_id": None,
        "cadence_days": 60,
        "last_touch_on": None,
        "snoozed_until": None,
        **fields,
    }
    return Touch(**values)
