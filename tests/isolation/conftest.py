"""Two workspaces installed side by side (OAuth mode, a token each), holding the same
account names, channel ids, stakeholders and actions. Each workspace's free text carries its
own marker, so any of its data reaching the other workspace is seen in the stand-in's record
of calls (each call knows the workspace whose token, or whose response_url, made it)."""

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import or_, select

from sambot.accountplan import service as account_plan
from sambot.accountplan.models import (
    Competitor,
    ExpansionArea,
    IndustryFactor,
    PlanSection,
    Section,
)
from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.config import load_settings
from sambot.db import Base, Database
from sambot.installs import service as installs
from sambot.installs.clients import WorkspaceClients
from sambot.localslack.oauth import CLIENT_ID, CLIENT_SECRET
from sambot.localslack.requests import SlackRequests
from sambot.localslack.server import SlackStandIn
from sambot.plans.models import Objective
from sambot.shell import demo
from sambot.slack.app import build_app
from sambot.slack.client import build_web_client
from sambot.slack.install import installation_store
from sambot.slack.plan_render import PAGE as PLAN_PAGE
from sambot.slack.programme_render import PAGE_SIZE as PROGRAMME_PAGE
from sambot.slack.record_messages import HISTORY_PAGE_SIZE as HISTORY_PAGE
from sambot.slack.server import BackgroundServer
from sambot.stakeholders import service as stakeholders
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints import service as touchpoints
from sambot.touchpoints.models import Touchpoint
from sambot.workspaces.models import Workspace

SIGNING_SECRET = "isolation-signing-secret"
KEY = Fernet.generate_key().decode()
ALPHA, BRAVO = "T0001", "T0002"
MARKERS = {ALPHA: "MARKALPHA", BRAVO: "MARKBRAVO"}
ORG = "E0100"
ORG_MARKERS = {"T0101": "MARKLABS", "T0102": "MARKWORKS"}  # two workspaces of the org
DANA, LEE, OWEN, PRIYA = demo.DANA, demo.LEE, demo.OWEN, demo.PRIYA
ACME_CHANNEL = "CACME"  # the same channel id in both workspaces
TOKEN_REFUSED = {"token_revoked", "invalid_auth", "not_authed", "account_inactive"}


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@dataclass
class Tenant:
    """One workspace: its team, its marker, and signed requests from its people."""

    team: str
    marker: str
    workspace_id: int
    requests: SlackRequests
    account_id: int  # Acme Corporation, linked to ACME_CHANNEL

    def command(self, command: str, text: str = "", *, user: str = DANA, channel=ACME_CHANNEL):
        return self.requests.command(command, text, user_id=user, channel_id=channel)


@dataclass
class Pair:
    standin: SlackStandIn
    server: BackgroundServer
    database: Database
    store: object
    tenants: dict[str, Tenant]
    # The workspaces' markers; and where one token serves several workspaces (an org-wide
    # install), the workspace each step acts in tells whose calls follow.
    markers: dict[str, str] = field(default_factory=lambda: dict(MARKERS))
    steps: list[tuple[int, str, str | None]] = field(default_factory=list)
    pressed: set[str] = field(default_factory=set)  # action ids of the elements pressed
    submitted: set[str] = field(default_factory=set)  # callback ids of the forms submitted
    responses: list[tuple[str, int, str]] = field(default_factory=list)

    def other(self, tenant: Tenant) -> Tenant:
        return next(t for t in self.tenants.values() if t is not tenant)

    def step(self, label: str, team: str | None = None) -> None:
        """Name the calls made from here on (made in `team`, when one workspace acts), so a
        leak says which entry point made it."""
        self.steps.append((len(self.standin.calls()), label, team))

    def record(self, label: str, response) -> None:
        """A response from the app (an ack); checked for 5xx by `problems`."""
        self.responses.append((label, response.status_code, response.text))

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the app's work after its acks is done (and a little for its calls)."""
        deadline = time.monotonic() + timeout
        while self.server.workload.ahead and time.monotonic() < deadline:
            time.sleep(0.01)

    def attributed(self, since: int = 0) -> list[tuple[object, str | None, str]]:
        """(call, the workspace it was made for, the step that made it) from call `since`:
        the workspace whose token (or response_url) made it, else the one acting then."""
        found, steps = [], list(self.steps)
        for index, call in enumerate(self.standin.calls()[since:], start=since):
            label, acting = next(
                ((name, team) for start, name, team in reversed(steps) if start <= index),
                ("", None),
            )
            found.append((call, call.team_id if call.team_id in self.markers else acting, label))
        return found

    def calls_of(self, team: str, since: int = 0) -> list:
        return [call for call, owner, _ in self.attributed(since) if owner == team]

    def leaks(self, since: int = 0) -> list[str]:
        """Calls made for one workspace that carry another's marker (or any marker, made
        for no known workspace)."""
        found = []
        for call, owner, label in self.attributed(since):
            if call.response.get("error") in TOKEN_REFUSED:
                continue  # refused for its token: shown nowhere
            text = json.dumps(call.args, default=str) + self.uploaded(call)
            foreign = [m for team, m in self.markers.items() if m in text and team != owner]
            if foreign:
                found.append(f"{label}: {call.method} as {owner} carried {foreign}")
        return found

    def uploaded(self, call) -> str:
        """The text of the files a completed upload shared (an export, a CSV)."""
        if call.method != "files.completeUploadExternal" or not call.ok:
            return ""
        ids = {item.get("id") for item in call.args.get("files") or []}
        files = [f for f in self.standin.uploads() if f["id"] in ids]
        return "".join(f["content"].decode("utf-8", "replace") for f in files)

    def problems(self, caplog) -> list[str]:
        """HTTP 5xx answers and tracebacks logged by the app (its error handler included)."""
        errors = [f"{label}: HTTP {status} {text[:200]}" for label, status, text in self.responses]
        errors = [
            e for e, (_, status, _) in zip(errors, self.responses, strict=True) if status >= 500
        ]
        tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
        return errors + tracebacks

    def snapshot(self, team: str) -> dict[str, list]:
        """Every row of the workspace: rows naming it, its accounts, or a row of it (a link
        table's rows), to see that nothing of it changed."""
        tenant = self.tenants[team]
        owned: dict = {}  # table -> the condition selecting the workspace's rows
        for table in Base.metadata.sorted_tables:  # parents before children
            if table.name == Workspace.__tablename__:
                owned[table] = table.c.id == tenant.workspace_id
            elif "team_id" in table.c:  # its installation
                owned[table] = table.c.team_id == team
            elif "workspace_id" in table.c:
                owned[table] = table.c.workspace_id == tenant.workspace_id
            elif "account_id" in table.c:
                accounts = select(Account.id).where(Account.workspace_id == tenant.workspace_id)
                owned[table] = table.c.account_id.in_(accounts)
            else:
                links = [
                    fk.parent.in_(select(fk.column).where(owned[fk.column.table]))
                    for fk in table.foreign_keys
                    if fk.column.table in owned
                ]
                if links:
                    owned[table] = or_(*links)
        with self.database.engine.connect() as connection:
            return {
                table.name: sorted(
                    json.dumps(dict(row), default=str)
                    for row in connection.execute(select(table).where(where)).mappings()
                )
                for table, where in owned.items()
            }

    def clients(self) -> WorkspaceClients:
        return WorkspaceClients(self.store, self.standin.base_url, max_retries=0)


def seed(database: Database, team: str, marker: str) -> int:
    """The demo portfolio (the same names in every workspace), its free text marked, and
    a stakeholder and an account whose names carry the marker (so lists show it)."""
    today = datetime.now(UTC).date()
    with database.session() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == team))
        for spec in demo._portfolio(today):
            demo._create_account(session, workspace.id, spec, today)
        session.flush()
        owned = Account.workspace_id == workspace.id
        for row in session.scalars(
            select(Stakeholder).where(Stakeholder.workspace_id.in_([workspace.id]))
        ):
            row.title = f"{row.title or 'Contact'} {marker}"
        for row in session.scalars(select(Action).where(Action.workspace_id == workspace.id)):
            row.title = f"{row.title} {marker}"
            row.detail = f"Detail {marker}"
        for row in session.scalars(
            select(Touchpoint).where(Touchpoint.workspace_id == workspace.id)
        ):
            row.summary = f"{row.summary} {marker}"
        for row in session.scalars(select(Objective).where(Objective.workspace_id == workspace.id)):
            row.title = f"{row.title} {marker}"
        for model, column in (
            (Competitor, "strengths"),
            (ExpansionArea, "next_step"),
            (IndustryFactor, "note"),
        ):
            for row in session.scalars(select(model).where(model.workspace_id == workspace.id)):
                setattr(row, column, f"{getattr(row, column) or ''} {marker}".strip())
        for row in session.scalars(
            select(PlanSection).where(PlanSection.workspace_id == workspace.id)
        ):
            row.fields = {
                key: f"{value} {marker}" if isinstance(value, str) and value else value
                for key, value in row.fields.items()
            }
        for row in session.scalars(select(Account).where(owned)):
            row.industry = f"Industry {marker}"
        acme = session.scalar(select(Account).where(owned, Account.channel_id == ACME_CHANNEL))
        stakeholders.create(
            session,
            workspace_id=workspace.id,
            account_id=acme.id,
            data={"name": f"Zed {marker}", "title": f"VP {marker}", "power": 4},
        )
        # More than a page of strategic accounts (the programme's "Next") and of touchpoints
        # (the history's "Next").
        for n in range(PROGRAMME_PAGE):
            session.add(
                Account(
                    workspace_id=workspace.id,
                    name=f"Account {n} {marker}",
                    owner_id=DANA,
                    tier="strategic",
                    annual_revenue=1000 + n,  # so the portfolio's ranking lists it
                )
            )
        for n in range(PLAN_PAGE + 1):  # the competition section's "Next"
            account_plan.save_item(
                session,
                workspace_id=workspace.id,
                account_id=acme.id,
                section=Section.COMPETITION,
                data={"name": f"Rival {n}", "strengths": f"Strong {marker}"},
                updated_by=DANA,
            )
        for n in range(HISTORY_PAGE):
            touchpoints.create(
                session,
                workspace_id=workspace.id,
                account_id=acme.id,
                logged_by=DANA,
                data={"kind": "call", "summary": f"Call {n} {marker}", "occurred_on": today},
                today=today,
            )
        return acme.id


def install(database: Database, standin: SlackStandIn, store, team: str) -> str:
    """The workspace installed as the OAuth flow leaves it: its token stored, its row made."""
    token = standin.bot_token if team == ALPHA else standin.installs.add_team(team, f"Team {team}")
    store.save(
        Installation(
            app_id="A1",
            team_id=team,
            team_name=f"Team {team}",
            bot_token=token,
            bot_id="B1",
            bot_user_id=standin.bot_user_id,
            bot_scopes="commands,chat:write",
            user_id=DANA,
        )
    )
    installs.installed(
        database, team_id=team, enterprise_id=None, name=f"Team {team}", timezone="UTC"
    )
    return token


def install_org_wide(database: Database, standin: SlackStandIn, store, teams: list[str]) -> None:
    """An Enterprise Grid org installed org-wide: one token (the org's) for its workspaces."""
    standin.installs.add_enterprise(ORG, "Umbrella Group")
    token = standin.installs.add_team(ORG, "Umbrella Group")
    standin.installs.tokens[token] = (None, ORG)  # the org's token, not a workspace's
    for team in teams:
        standin.installs.add_team(team, f"Team {team}", enterprise_id=ORG)
        installs.installed(
            database, team_id=team, enterprise_id=ORG, name=f"Team {team}", timezone="UTC"
        )
    store.save(
        Installation(
            app_id="A1",
            enterprise_id=ORG,
            team_id=None,
            bot_token=token,
            bot_id="B1",
            bot_user_id=standin.bot_user_id,
            bot_scopes="commands,chat:write",
            user_id=DANA,
            is_enterprise_install=True,
        )
    )


def deploy(db, standin, caplog, markers: dict[str, str], *, org_wide: bool = False):
    """The app in OAuth mode, each workspace of `markers` installed and seeded."""
    caplog.set_level(logging.WARNING)
    standin.reset(everything=True)
    for user_id, handle, real_name, tz in demo.USERS:
        standin.add_user(user_id, handle, real_name=real_name, tz=tz)
    standin.add_user("UNEWCOMER", "newcomer", real_name="New Comer")
    for channel_id, name in demo.CHANNELS:
        standin.add_channel(channel_id, name)
    settings = load_settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=standin.base_url,
        database_url=db.url,
        sambot_timezone="UTC",
        sambot_encryption_key=KEY,
    )
    assert settings.oauth_install
    store = installation_store(settings, db)
    tenants = {}
    app = build_app(settings, db, build_web_client(None, standin.base_url))
    server = BackgroundServer(app, SIGNING_SECRET).start()
    if org_wide:
        install_org_wide(db, standin, store, list(markers))
    for team, marker in markers.items():
        if not org_wide:
            install(db, standin, store, team)
        account_id = seed(db, team, marker)
        with db.session() as session:
            workspace_id = session.scalar(select(Workspace.id).where(Workspace.team_id == team))
        requests = SlackRequests(
            server.url,
            SIGNING_SECRET,
            standin,
            team,
            enterprise_id=ORG if org_wide else None,
            is_enterprise_install=org_wide,
        )
        tenants[team] = Tenant(team, marker, workspace_id, requests, account_id)
    yield Pair(standin, server, db, store, tenants, markers=dict(markers))
    for tenant in tenants.values():
        tenant.requests.close()
    server.stop()


@pytest.fixture
def pair(db, standin, caplog):
    yield from deploy(db, standin, caplog, MARKERS)


@pytest.fixture
def org_pair(db, standin, caplog):
    """Two workspaces of one Enterprise Grid org, the app installed org-wide."""
    yield from deploy(db, standin, caplog, ORG_MARKERS, org_wide=True)
