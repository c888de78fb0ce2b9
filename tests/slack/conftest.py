"""End to end: the real app over real HTTP, signed requests, and the local Slack stand-in."""

import json
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import update

from sambot.config import load_settings
from sambot.localslack.requests import SlackRequests
from sambot.localslack.server import SlackStandIn
from sambot.slack.app import build_app
from sambot.slack.client import build_web_client
from sambot.slack.server import BackgroundServer
from sambot.workspaces import service as workspaces
from sambot.workspaces.models import Workspace

SIGNING_SECRET = "test-signing-secret"

# The workspace every test starts with. Dana is in Paris, Lee in Honolulu.
DANA, LEE, OWEN = "UDANA", "ULEE", "UOWEN"
ACME_CHANNEL, GENERAL, PRIVATE = "CACME", "CGENERAL", "GPRIVATE"


@pytest.fixture(scope="session")
def standin():
    with SlackStandIn() as server:
        yield server


class InFlight:
    """The app's work after its acks still going, so tests can wait for its commits."""

    def __init__(self, workload):
        self.workload = workload

    @property
    def count(self) -> int:
        return self.workload.ahead

    def settle(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.01)


@dataclass
class Slack:
    standin: SlackStandIn
    requests: SlackRequests
    url: str
    in_flight: InFlight

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = DANA,
        channel: str = ACME_CHANNEL,
        **options,
    ):
        return self.requests.command(command, text, user_id=user, channel_id=channel, **options)

    def wait(self, method: str, predicate=lambda call: True, timeout: float = 5.0):
        call = self.standin.wait_for(method, predicate, timeout=timeout)
        self.in_flight.settle()
        return call

    def opened_view(self, callback_id: str) -> dict:
        call = self.wait("views.open", lambda c: c.ok and _view_of(c)["callback_id"] == callback_id)
        return self.latest_view(call.response["view"]["id"])

    def latest_view(self, view_id: str) -> dict:
        return next(view for view in reversed(self.standin.views()) if view["id"] == view_id)

    def ephemeral(self, user: str = DANA, contains: str = "", timeout: float = 5.0) -> dict:
        """Wait for an ephemeral answer to `user` whose text or blocks contain `contains`."""
        return self._await(
            lambda: self.standin.ephemerals(user), contains, timeout, f"ephemeral for {user}"
        )

    def channel_message(self, channel: str, contains: str = "", timeout: float = 5.0) -> dict:
        """Wait for a message in `channel` whose text or blocks contain `contains`."""
        return self._await(
            lambda: self.standin.messages(channel), contains, timeout, f"message in {channel}"
        )

    def _await(self, shown, contains: str, timeout: float, what: str) -> dict:
        """Poll, then let the listeners finish, so their database writes are committed too."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(shown()):
                if contains in _all_text(message):
                    self.in_flight.settle()
                    return message
            time.sleep(0.02)
        seen = [_all_text(m)[:200] for m in shown()]
        raise AssertionError(f"no {what} containing {contains!r}: {seen}")


def _view_of(call) -> dict:
    view = call.args.get("view")
    return json.loads(view) if isinstance(view, str) else view


def _all_text(message: dict) -> str:
    return (message.get("text") or "") + json.dumps(message.get("blocks") or [])


def open_workspace(db, team_id: str = "T0001") -> None:
    """The tests written before permissions act as people outside the account team: their
    workspace lets anyone change accounts. test_permissions.py covers the default policy."""
    with db.session() as session:
        workspace = workspaces.ensure(session, team_id=team_id, timezone="UTC")
        # A statement, not an attribute: set-up, not a change the audit trail should show.
        session.execute(
            update(Workspace).where(Workspace.id == workspace.id).values(edit_policy="open")
        )


@pytest.fixture
def slack(db, standin, monkeypatch):
    open_workspace(db)
    standin.reset(everything=True)
    standin.add_user(DANA, "dana", real_name="Dana Scully", tz="Europe/Paris")
    standin.add_user(LEE, "lee", real_name="Lee Adama", tz="Pacific/Honolulu")
    standin.add_user(OWEN, "owen", real_name="Owen Grady", tz="UTC")
    standin.add_channel(ACME_CHANNEL, "acme")
    standin.add_channel(GENERAL, "general")
    standin.add_channel(PRIVATE, "secret-deal", is_private=True)
    settings = load_settings(
        slack_bot_token=standin.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=standin.base_url,
        database_url=db.url,
        sambot_timezone="UTC",
    )
    app = build_app(settings, db, build_web_client(standin.bot_token, standin.base_url))
    server = BackgroundServer(app, SIGNING_SECRET).start()
    with SlackRequests(server.url, SIGNING_SECRET, standin) as requests:
        yield Slack(standin, requests, server.url, InFlight(server.workload))
    server.stop()
    assert standin.violations == [], "the app sent Block Kit that Slack would reject"
