"""A demo portfolio, written through the domain services so it obeys the same rules as data
entered in Slack. Dates are relative to the day it is loaded, so some actions are overdue.

Loading is idempotent: an account that already exists (by name) is left as it is.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.db import Database
from sambot.plans import service as plans
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints import service as touchpoints
from sambot.workspaces import service as workspaces

# The local workspace the shell simulates; the stand-in and the demo share these ids.
TEAM_ID = "T0001"
WORKSPACE_NAME = "Local workspace"

# (user id, handle, real name, time zone)
USERS = [
    ("UDANA", "dana", "Dana Scully", "Europe/Paris"),
    ("ULEE", "lee", "Lee Adama", "America/New_York"),
    ("UOWEN", "owen", "Owen Grady", "UTC"),
    ("UPRIYA", "priya", "Priya Natarajan", "Asia/Kolkata"),
]
# (channel id, name)
CHANNELS = [
    ("CACME", "acme"),
    ("CGLOBEX", "globex"),
    ("CINITECH", "initech"),
    ("CGENERAL", "general"),
]
DANA, LEE, OWEN, PRIYA = (user[0] for user in USERS)


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _portfolio(today: date) -> list[dict]:
    """Each account with its team, stakeholders, objectives, touchpoints and actions.

    Stakeholders, objectives and actions refer to each other by their position in the lists.
    """

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    def ahead(days: int) -> date:
        return today + timedelta(days=days)

    return [
        {
            "account": {
                "name": "Acme Corporation",
                "owner_id": DANA,
                "tier": "strategic",
                "industry": "Semiconductors",
                "annual_revenue": "4200000",
                "gross_margin": "1150000",
                "potential_revenue": "6500000",
                "currency": "EUR",
                "channel_id": "CACME",
            },
            "team": [(OWEN, "executive_sponsor"), (LEE, "technical"), (PRIYA, "service")],
            "stakeholders": [
                {
                    "name": "Hélène Martin",
                    "title": "CTO",
                    "role": "decision_maker",
                    "power": 5,
                    "influence": 5,
                    "interest": 4,
                    "attitude": 1,
                    "relationship_owner_id": OWEN,
                },
                {
                    "name": "Tom Becker",
                    "title": "Head of Procurement",
                    "role": "economic_buyer",
                    "power": 4,
                    "influence": 3,
                    "interest": 2,
                    "attitude": -1,
                    "relationship_owner_id": DANA,
                    "reports_to": 0,
                },
                {
                    "name": "Aiko Tanaka",
                    "title": "Lead Engineer",
                    "role": "champion",
                    "power": 2,
                    "influence": 4,
                    "interest": 5,
                    "attitude": 2,
                    "relationship_owner_id": LEE,
                },
            ],
            "objectives": [
                {
                    "title": "Renew the 3-year supply agreement",
                    "horizon": "short_term",
                    "target_date": ahead(60),
                    "status": "on_track",
                },
                {
                    "title": "Become preferred supplier for the automotive line",
                    "horizon": "long_term",
                    "target_date": ahead(365),
                    "status": "not_started",
                },
            ],
            "touchpoints": [
                {
                    "occurred_on": ago(3),
                    "kind": "meeting",
                    "sentiment": "positive",
                    "people": [0, 2],
                    "summary": "Quarterly review: delivery performance is back on target. "
                    "They want a roadmap session with our engineers.",
                },
                {
                    "occurred_on": ago(12),
                    "kind": "call",
                    "sentiment": "negative",
                    "people": [1],
                    "summary": "Procurement pushes for a 6% price cut at renewal.",
                },
                {
                    "occurred_on": ago(30),
                    "kind": "executive_visit",
                    "sentiment": "positive",
                    "people": [0],
                    "logged_by": OWEN,
                    "summary": "Owen met Hélène at their HQ: agreed to explore the automotive line.",
                },
            ],
            "actions": [
                {
                    "title": "Send the revised pricing proposal",
                    "owner_id": DANA,
                    "due_date": ago(4),
                    "objective": 0,
                    "shared_with_client": True,
                    "obstacle": "Finance has not approved the discount floor yet.",
                },
                {
                    "title": "Share the delivery performance dashboard",
                    "owner_id": PRIYA,
                    "due_date": ago(9),
                    "shared_with_client": True,
                },
                {
                    "title": "Schedule the roadmap session with engineering",
                    "owner_id": LEE,
                    "due_date": ahead(5),
                    "objective": 1,
                },
                {
                    "title": "Send the Q3 quality report",
                    "owner_id": PRIYA,
                    "due_date": ago(20),
                    "shared_with_client": True,
                    "done": True,
                },
            ],
        },
        {
            "account": {
                "name": "Globex",
                "owner_id": LEE,
                "tier": "key",
                "industry": "Energy",
                "annual_revenue": "1800000",
                "gross_margin": "380000",
                "currency": "USD",
                "channel_id": "CGLOBEX",
            },
            "team": [(DANA, "sales")],
            "stakeholders": [
                {
                    "name": "Hank Scorpio",
                    "title": "CEO",
                    "role": "economic_buyer",
                    "power": 5,
                    "influence": 5,
                    "interest": 3,
                    "attitude": 0,
                    "relationship_owner_id": LEE,
                },
                {
                    "name": "Mindy Park",
                    "title": "IT Director",
                    "role": "influencer",
                    "power": 3,
                    "influence": 4,
                    "interest": 4,
                    "attitude": 1,
                    "relationship_owner_id": DANA,
                },
            ],
            "objectives": [
                {
                    "title": "Expand to the second plant",
                    "horizon": "short_term",
                    "target_date": ahead(90),
                    "status": "at_risk",
                },
            ],
            "touchpoints": [
                {
                    "occurred_on": ago(20),
                    "kind": "email",
                    "sentiment": "neutral",
                    "people": [1],
                    "logged_by": LEE,
                    "summary": "Sent the expansion proposal; waiting for their feedback.",
                },
            ],
            "actions": [
                {
                    "title": "Follow up on the expansion proposal",
                    "owner_id": LEE,
                    "due_date": ago(2),
                    "objective": 0,
                },
                {"title": "Prepare the QBR deck", "owner_id": DANA, "due_date": ahead(10)},
            ],
        },
        {
            "account": {
                "name": "Initech",
                "owner_id": DANA,
                "tier": "other",
                "industry": "Software",
                "annual_revenue": "450000",
                "currency": "USD",
                "channel_id": "CINITECH",
            },
            "team": [],
            "stakeholders": [
                {
                    "name": "Bill Lumbergh",
                    "title": "VP Operations",
                    "role": "gatekeeper",
                    "power": 3,
                    "influence": 2,
                    "interest": 1,
                    "attitude": -2,
                },
            ],
            "objectives": [],
            "touchpoints": [
                {
                    "occurred_on": ago(45),
                    "kind": "meeting",
                    "sentiment": "neutral",
                    "people": [0],
                    "summary": "Kick-off of the integration pilot.",
                },
            ],
            "actions": [
                {"title": "Call Bill about the integration pilot", "owner_id": DANA},
            ],
        },
    ]


def load_demo(database: Database, *, timezone: str = "UTC", today: date) -> DemoResult:
    """Create the demo accounts that do not exist yet, in the local workspace."""
    result = DemoResult()
    with database.session() as session:
        workspace = workspaces.ensure(
            session, team_id=TEAM_ID, timezone=timezone, name=WORKSPACE_NAME
        )
        for spec in _portfolio(today):
            name = spec["account"]["name"]
            if accounts.find_by_name(session, workspace_id=workspace.id, name=name):
                result.skipped.append(name)
                continue
            _create_account(session, workspace.id, spec, today)
            result.created.append(name)
    return result


def _create_account(session, workspace_id: int, spec: dict, today: date) -> None:
    account = accounts.create(session, workspace_id=workspace_id, data=spec["account"])
    ids = {"workspace_id": workspace_id, "account_id": account.id}
    for user_id, role in spec["team"]:
        accounts.set_team_member(
            session,
            workspace_id=workspace_id,
            account_id=account.id,
            data={"user_id": user_id, "role": role},
        )
    people = []
    for person in spec["stakeholders"]:
        data = {key: value for key, value in person.items() if key != "reports_to"}
        if "reports_to" in person:
            data["reports_to_id"] = people[person["reports_to"]].id
        people.append(stakeholders.create(session, **ids, data=data))
    objectives = [plans.create(session, **ids, data=data) for data in spec["objectives"]]
    for touchpoint in spec["touchpoints"]:
        data = {
            key: value for key, value in touchpoint.items() if key not in ("people", "logged_by")
        }
        data["stakeholder_ids"] = [people[i].id for i in touchpoint["people"]]
        touchpoints.create(
            session,
            **ids,
            logged_by=touchpoint.get("logged_by", account.owner_id),
            data=data,
            today=today,
        )
    for action in spec["actions"]:
        data = {key: value for key, value in action.items() if key not in ("objective", "done")}
        if "objective" in action:
            data["objective_id"] = objectives[action["objective"]].id
        # No `today`: the demo's overdue actions were due in the past on purpose.
        created = actions.create(session, **ids, created_by=account.owner_id, data=data)
        if action.get("done"):
            actions.mark_done(session, action=created, changed_by=action["owner_id"])
            # Done the day after it was due, not at load time, so reports place it in its month.
            created.completed_at = datetime.combine(
                created.due_date + timedelta(days=1), time(15, 0), tzinfo=UTC
            )
