"""A demo portfolio, written through the domain services so it obeys the same rules as data
entered in Slack. Dates are relative to the day it is loaded, so some actions are overdue,
and every row is dated in the past where it would have been made (accounts a year ago,
actions a few weeks before they were due, plan sections when someone last edited them), so
last month's report and today's nudges tell the same story.

Loading is idempotent: an account that already exists (by name) is left as it is.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sambot.accountplan import service as account_plan
from sambot.accountplan.models import Section
from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.audit import context as audit
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
ADMIN = DANA  # the local workspace's admin: may change `/sam settings`


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
            "plan": {
                Section.PROFILE: (
                    DANA,
                    14,
                    {
                        "business": "Designs and makes power semiconductors for industrial "
                        "and automotive customers; 12 fabs in Europe and Asia.",
                        "needs": "Secure supply of substrates through 2028; shorter "
                        "qualification of new parts; a partner for the automotive line.",
                        "buying_process": "Central procurement runs a tender; engineering "
                        "qualifies parts first and holds a veto.",
                        "buying_cycle": "9 to 12 months from qualification to first order.",
                        "budget_timing": "Budgets set in October for the next calendar year.",
                    },
                ),
                Section.VALUE: (
                    DANA,
                    100,
                    {
                        "unique_value": "The only supplier with a second source in Europe "
                        "and on-site engineers at their two largest fabs.",
                        "proof_points": "99.2% on-time delivery in 2026; qualification of "
                        "the X7 part in 6 weeks instead of 14.",
                    },
                ),
                Section.STRATEGY: (
                    OWEN,
                    30,
                    {
                        "client_objectives": "Double automotive revenue by 2028; cut "
                        "supplier count by a third.",
                        "challenges": "Price pressure from Asian fabs; long qualification "
                        "cycles; a new CFO reviewing every contract.",
                        "culture": "Engineering-led, consensus decisions; data beats "
                        "relationships; French and Japanese sites work differently.",
                    },
                ),
                Section.INDUSTRY: (
                    LEE,
                    21,
                    [
                        {
                            "factor": "supply_and_demand",
                            "impact": "down",
                            "trend": "Substrate shortage easing in 2027",
                            "note": "Lead times still 30 weeks for wide-bandgap parts.",
                        },
                        {
                            "factor": "market_conditions",
                            "impact": "up",
                            "trend": "EV demand growing 25% a year",
                        },
                        {
                            "factor": "political",
                            "impact": "up",
                            "trend": "EU Chips Act subsidies for new fabs",
                        },
                        {"factor": "legal", "impact": "neutral", "trend": "Export rules stable"},
                    ],
                ),
                Section.COMPETITION: (
                    DANA,
                    40,
                    [
                        {
                            "name": "Initrode Materials",
                            "position": "equal",
                            "strengths": "Lowest price; a large fab in Taiwan.",
                            "weaknesses": "Missed two deliveries in 2026; no local engineers.",
                            "differentiators": "Our second source in Europe; on-site support.",
                        },
                        {
                            "name": "Vandelay Industries",
                            "position": "behind",
                            "strengths": "Incumbent on the automotive line since 2019.",
                            "weaknesses": "Slow to qualify new parts.",
                            "differentiators": "Qualification in 6 weeks.",
                        },
                    ],
                ),
                Section.RELATIONSHIP: (
                    OWEN,
                    30,
                    [
                        {
                            "area": "Automotive line (Grenoble)",
                            "estimated_value": "1500000",
                            "stage": "qualified",
                            "next_step": "Roadmap session with their engineers.",
                        },
                        {
                            "area": "Quality lab services",
                            "estimated_value": "300000",
                            "stage": "idea",
                        },
                    ],
                ),
            },
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
            "plan": {
                Section.PROFILE: (
                    LEE,
                    60,
                    {
                        "business": "Regional utility: gas and power for 2 million homes.",
                        "needs": "Modernise the control rooms of two plants.",
                        "buying_process": "Board approval above 500k; IT director leads.",
                    },
                ),
                Section.VALUE: (
                    LEE,
                    60,
                    {"unique_value": "Control-room retrofits without plant downtime."},
                ),
                Section.STRATEGY: (
                    LEE,
                    130,
                    {"client_objectives": "Cut outages by 40% by 2027."},
                ),
                Section.INDUSTRY: (
                    DANA,
                    130,
                    [
                        {
                            "factor": "environmental",
                            "impact": "down",
                            "trend": "Carbon tax rising",
                            "note": "Squeezes their capital budget.",
                        },
                        {"factor": "economic", "impact": "neutral"},
                    ],
                ),
                Section.COMPETITION: (
                    LEE,
                    60,
                    [{"name": "Soylent Systems", "position": "unknown"}],
                ),
                Section.RELATIONSHIP: (
                    LEE,
                    20,
                    [
                        {
                            "area": "Second plant",
                            "estimated_value": "900000",
                            "stage": "proposed",
                            "next_step": "Follow up on the proposal.",
                        }
                    ],
                ),
            },
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
            # A plan barely started: /sam plan flags what is missing.
            "plan": {
                Section.PROFILE: (
                    DANA,
                    45,
                    {"business": "Software for banks' back offices.", "needs": "Integration"},
                ),
            },
        },
    ]


def load_demo(database: Database, *, timezone: str = "UTC", today: date) -> DemoResult:
    """Create the demo accounts that do not exist yet, in the local workspace."""
    result = DemoResult()
    # The audit trail says where these came from, from the shell as from `sambot demo load`.
    with audit.acting(audit.Source.CLI, detail="sambot demo load"), database.session() as session:
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


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _dated(row, day: date, hour: int = 10) -> None:
    """Date a row when it would have been made, not when the demo was loaded."""
    row.created_at = row.updated_at = _at(day, hour)


def _create_account(session, workspace_id: int, spec: dict, today: date) -> None:
    account = accounts.create(session, workspace_id=workspace_id, data=spec["account"])
    _dated(account, today - timedelta(days=400))
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
        _dated(people[-1], today - timedelta(days=300))
    objectives = [plans.create(session, **ids, data=data) for data in spec["objectives"]]
    for objective in objectives:
        _dated(objective, today - timedelta(days=200))
    for touchpoint in spec["touchpoints"]:
        data = {
            key: value for key, value in touchpoint.items() if key not in ("people", "logged_by")
        }
        data["stakeholder_ids"] = [people[i].id for i in touchpoint["people"]]
        logged = touchpoints.create(
            session,
            **ids,
            logged_by=touchpoint.get("logged_by", account.owner_id),
            data=data,
            today=today,
        )
        _dated(logged, touchpoint["occurred_on"], hour=17)  # logged the evening it happened
    for action in spec["actions"]:
        data = {key: value for key, value in action.items() if key not in ("objective", "done")}
        if "objective" in action:
            data["objective_id"] = objectives[action["objective"]].id
        # No `today`: the demo's overdue actions were due in the past on purpose.
        created = actions.create(session, **ids, created_by=account.owner_id, data=data)
        # Created three weeks before it was due (or ten days ago), as a team would have.
        due = created.due_date
        _dated(
            created,
            min(due - timedelta(days=21), today - timedelta(days=1))
            if due
            else today - timedelta(days=10),
        )
        if action.get("done"):
            actions.mark_done(session, action=created, changed_by=action["owner_id"])
            # Done the day after it was due, not at load time, so reports place it in its month.
            created.completed_at = _at(due + timedelta(days=1), 15)
            created.updated_at = created.completed_at
    _fill_plan(session, ids, spec.get("plan", {}), today)


def _fill_plan(session, ids: dict, plan: dict, today: date) -> None:
    """Each section as its last editor left it, that many days ago."""
    for section, (user_id, days_ago, content) in plan.items():
        when = _at(today - timedelta(days=days_ago), 11)
        if isinstance(content, dict):
            account_plan.update_fields(
                session, **ids, section=section, data=content, updated_by=user_id, now=when
            )
            continue
        for data in content:
            item = account_plan.save_item(
                session, **ids, section=section, data=data, updated_by=user_id, now=when
            )
            item.created_at = item.updated_at = when
