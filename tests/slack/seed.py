"""Accounts and people for end-to-end tests, written through the domain services; a past
month of activity written as rows, to date it."""

from datetime import UTC, date, datetime

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.actions.models import Action, ActionStatus
from sambot.plans.models import Horizon, Objective, ObjectiveStatus
from sambot.stakeholders import service as stakeholders
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from sambot.touchpoints.models import Sentiment, Source, Touchpoint, TouchpointKind
from sambot.workspaces import service as workspaces
from tests.slack.conftest import ACME_CHANNEL, DANA


def acme(db, *, channel: str | None = ACME_CHANNEL, owner: str = DANA):
    with db.session() as session:
        workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
        account = accounts.create(
            session,
            workspace_id=workspace.id,
            data={"name": "Acme", "owner_id": owner, "channel_id": channel},
        )
        stakeholders.create(
            session,
            workspace_id=workspace.id,
            account_id=account.id,
            data={"name": "Walter Boss", "role": "economic_buyer", "power": 5},
        )
        return account.id


# October 2026, finished: the report's period in the report tests (any later day runs it).
OCTOBER = "2026-10"


def _at(day: int, month: int = 10):
    return datetime(2026, month, day, 9, tzinfo=UTC)


def october_activity(db, account_id: int) -> None:
    """A month that fills every part of the internal report, with text found nowhere else.

    Rows are written directly so they can be dated in October: an internal and a shared
    action completed, both overdue with an obstacle, one due in November, touchpoints with
    sentiments and a stakeholder engaged, two key stakeholders nobody met (a coverage gap)
    and an objective.
    """
    with db.session() as session:
        account = session.get(Account, account_id)
        workspace_id = account.workspace_id
        objective = Objective(
            workspace_id=workspace_id,
            account_id=account_id,
            title="Objective Zephyr expansion",
            horizon=Horizon.LONG_TERM,
            status=ObjectiveStatus.AT_RISK,
            target_date=date(2027, 3, 31),
        )
        session.add(objective)
        session.flush()

        def action(title, *, shared=False, due=None, completed=None, obstacle=None, **fields):
            session.add(
                Action(
                    workspace_id=workspace_id,
                    account_id=account_id,
                    title=title,
                    owner_id=DANA,
                    created_by=DANA,
                    due_date=due,
                    status=ActionStatus.DONE if completed else ActionStatus.OPEN,
                    completed_at=completed,
                    shared_with_client=shared,
                    obstacle=obstacle,
                    created_at=_at(2),
                    updated_at=_at(2),
                    **fields,
                )
            )

        action("Shared kickoff done", shared=True, completed=_at(10), objective_id=objective.id)
        action("Internal pricing review", completed=_at(12))
        action("Chase legal", due=date(2026, 10, 15), obstacle="Legal is blocking quietly")
        action(
            "Shared rollout plan",
            shared=True,
            due=date(2026, 10, 20),
            obstacle="Their CIO resists the rollout",
        )
        action("Internal renewal prep", due=date(2026, 11, 10))

        def stakeholder(name, **fields):
            person = Stakeholder(
                workspace_id=workspace_id,
                account_id=account_id,
                name=name,
                created_at=_at(1, month=6),
                updated_at=_at(1, month=6),
                **fields,
            )
            session.add(person)
            return person

        gatekeeper = stakeholder(
            "Gloria Gatekeeper",
            title="Chief Revenue Officer",
            role=StakeholderRole.GATEKEEPER,
            power=5,
            influence=4,
            attitude=-2,
        )
        stakeholder("Nora Nevermet", role=StakeholderRole.DECISION_MAKER, power=4, attitude=-1)
        engaged = stakeholder("Erin Engaged", role=StakeholderRole.USER, power=2)

        def touchpoint(day, kind, sentiment, people, month=10):
            session.add(
                Touchpoint(
                    workspace_id=workspace_id,
                    account_id=account_id,
                    occurred_on=date(2026, month, day),
                    kind=kind,
                    summary=f"{kind} on {month}/{day}",
                    sentiment=sentiment,
                    logged_by=DANA,
                    source=Source.IMPORT,
                    stakeholders=people,
                )
            )

        # Met in July: more than their touch cadence (60 days) before the end of October.
        touchpoint(15, TouchpointKind.MEETING, Sentiment.NEUTRAL, [gatekeeper], month=7)
        touchpoint(8, TouchpointKind.MEETING, Sentiment.NEGATIVE, [engaged])
        touchpoint(22, TouchpointKind.CALL, Sentiment.POSITIVE, [engaged])
