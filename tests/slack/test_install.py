"""Several workspaces: the OAuth install through the stand-in, a token per workspace,
Enterprise Grid org-wide installs, uninstall, encrypted tokens; signed requests, both
databases."""

import json
import re
import secrets
import time
from dataclasses import dataclass
from html import unescape

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from sambot.config import load_settings
from sambot.db import Database
from sambot.installs.models import BOTS, INSTALLATIONS
from sambot.localslack.ids import APP_ID
from sambot.localslack.oauth import CLIENT_ID, CLIENT_SECRET
from sambot.localslack.requests import SlackRequests
from sambot.localslack.server import SlackStandIn
from sambot.slack.app import build_app
from sambot.slack.client import build_web_client
from sambot.slack.server import BackgroundServer
from sambot.workspaces.models import Workspace
from tests.slack.conftest import DANA, LEE, SIGNING_SECRET

KEY = Fernet.generate_key().decode()


@dataclass
class Deployment:
    standin: SlackStandIn
    server: BackgroundServer
    database: Database
    browser: httpx.Client

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def requests(self, team_id: str, enterprise_id: str | None = None) -> SlackRequests:
        return SlackRequests(
            self.server.url, SIGNING_SECRET, self.standin, team_id, enterprise_id=enterprise_id
        )

    def install(self, team: str | None = None, *, decision: str = "allow") -> httpx.Response:
        """Walk the flow as a browser would: install page, Slack's page, back with a code."""
        page = self.browser.get("/slack/install", params={"team": team} if team else None)
        assert page.status_code == 200, page.text
        add = unescape(re.search(r'id="add-to-slack"[^>]*href="([^"]+)"', page.text)[1])
        slack_page = self.browser.get(add)
        assert slack_page.status_code == 200, slack_page.text
        link = unescape(re.search(rf'id="{decision}" href="([^"]+)"', slack_page.text)[1])
        back = self.browser.get(self.standin.url + link)
        assert back.status_code == 302
        # The state cookie is Secure: httpx keeps it from plain http, a browser on
        # 127.0.0.1 sends it (tests/browser walks that).
        cookie = page.headers["set-cookie"].split(";")[0]
        return self.browser.get(back.headers["location"], headers={"cookie": cookie})


def oauth_settings(standin: SlackStandIn, database: Database, **overrides):
    values = {
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": standin.base_url,
        "database_url": database.url,
        "sambot_timezone": "UTC",
        "sambot_encryption_key": KEY,
        **overrides,
    }
    return load_settings(**values)


@pytest.fixture
def deployment(db, standin):
    standin.reset(everything=True)
    standin.add_user(DANA, "dana", real_name="Dana Scully", tz="Europe/Paris")
    standin.add_user(LEE, "lee", real_name="Lee Adama", tz="Pacific/Honolulu")
    settings = oauth_settings(standin, db)
    assert settings.oauth_install
    app = build_app(settings, db, build_web_client(None, standin.base_url))
    server = BackgroundServer(app, SIGNING_SECRET).start()
    standin.installs.redirect_uri = f"{server.base_url}/slack/oauth_redirect"
    with httpx.Client(base_url=server.base_url, timeout=10) as browser:
        yield Deployment(standin, server, db, browser)
    server.stop()


def rows(database: Database, table) -> list:
    with database.engine.connect() as connection:
        return list(connection.execute(select(table)).mappings())


def workspace(database: Database, team_id: str) -> Workspace | None:
    with database.session() as session:
        return session.scalar(select(Workspace).where(Workspace.team_id == team_id))


def home_opened(requests: SlackRequests, user: str = DANA):
    response = requests.event({"type": "app_home_opened", "user": user, "tab": "home"})
    assert response.status_code == 200


def publish_by(standin: SlackStandIn, team: str, timeout: float = 5.0):
    return standin.wait_for("views.publish", lambda call: call.team_id == team, timeout=timeout)


def test_the_install_page_says_what_sambot_does_and_which_scopes_it_asks_for(deployment):
    page = deployment.browser.get("/slack/install")
    assert page.status_code == 200
    assert "Add sambot to your Slack workspace" in page.text
    for scope in ("commands", "chat:write", "users:read"):
        assert f"<code>{scope}</code>" in page.text
    # The state is kept in a cookie as well as in the database.
    assert "slack-app-oauth-state" in page.headers["set-cookie"]
    add = unescape(re.search(r'id="add-to-slack"[^>]*href="([^"]+)"', page.text)[1])
    assert add.startswith(deployment.standin.url + "/oauth/v2/authorize?")
    assert f"client_id={CLIENT_ID}" in add and "scope=commands" in add


def test_an_install_stores_the_workspace_and_its_token_encrypted(deployment):
    done = deployment.install()
    assert done.status_code == 200
    assert "sambot is installed in Local Slack" in done.text

    [installation] = rows(deployment.database, INSTALLATIONS)
    assert installation["team_id"] == "T0001" and installation["app_id"] == APP_ID
    token = next(
        t
        for t, owner in deployment.standin.installs.tokens.items()
        if owner[0] == "T0001" and t != deployment.standin.bot_token
    )
    for table in (INSTALLATIONS, BOTS):
        stored = json.dumps([dict(row) for row in rows(deployment.database, table)], default=str)
        assert token not in stored and "xoxb-" not in stored
    assert Fernet(KEY).decrypt(installation["bot_token"].encode()).decode() == token
    assert workspace(deployment.database, "T0001").uninstalled_at is None

    # Requests from the workspace are served with its own token.
    with deployment.requests("T0001") as requests:
        home_opened(requests)
    call = publish_by(deployment.standin, "T0001")
    assert call.ok
    # The user's time zone was read with the workspace's token too.
    lookup = deployment.standin.wait_for("users.info", lambda c: c.team_id == "T0001")
    assert lookup.ok and lookup.response["user"]["tz"] == "Europe/Paris"


def test_two_workspaces_each_served_with_their_own_token(deployment):
    deployment.standin.installs.add_team("T0002", "Beta Corp")
    deployment.install()
    assert "installed in Beta Corp" in deployment.install("T0002").text
    assert {row["team_id"] for row in rows(deployment.database, BOTS)} == {"T0001", "T0002"}
    for team in ("T0001", "T0002"):
        with deployment.requests(team) as requests:
            home_opened(requests)
        assert publish_by(deployment.standin, team).ok
    # A workspace that never installed the app gets nothing done.
    with deployment.requests("T0009") as requests:
        requests.event({"type": "app_home_opened", "user": DANA, "tab": "home"})
    time.sleep(0.3)
    assert not [c for c in deployment.standin.calls("views.publish") if c.team_id == "T0009"]


def test_an_org_wide_install_serves_every_workspace_of_the_org(deployment):
    installs = deployment.standin.installs
    installs.add_enterprise("E0100", "Umbrella Group")
    installs.add_team("T0101", "Umbrella Labs", enterprise_id="E0100")
    done = deployment.install("E0100")
    assert "installed in every workspace of Umbrella Group" in done.text
    [bot] = rows(deployment.database, BOTS)
    assert bot["enterprise_id"] == "E0100" and bot["team_id"] is None
    assert bot["is_enterprise_install"]

    with deployment.requests("T0101", enterprise_id="E0100") as requests:
        body = {
            "team_id": "T0101",
            "enterprise_id": "E0100",
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5)}",
            "event_time": int(time.time()),
            "is_enterprise_install": True,
            "event": {"type": "app_home_opened", "user": DANA, "tab": "home", "event_ts": "1.0"},
            "authorizations": [
                {
                    "enterprise_id": "E0100",
                    "team_id": None,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": True,
                }
            ],
        }
        assert requests.send(json.dumps(body), "application/json").status_code == 200
    # The org's token made the call; the workspace is recorded within its org.
    assert publish_by(deployment.standin, "E0100").ok
    deadline = time.monotonic() + 5
    while workspace(deployment.database, "T0101") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workspace(deployment.database, "T0101").enterprise_id == "E0100"


def test_a_cancelled_install_shows_a_clear_page_and_stores_nothing(deployment):
    page = deployment.install(decision="cancel")
    assert page.status_code == 200
    assert "sambot was not installed" in page.text
    assert "The install was cancelled" in page.text
    assert 'href="/slack/install"' in page.text
    assert rows(deployment.database, INSTALLATIONS) == []


def test_a_redirect_without_the_install_cookie_is_refused(deployment):
    page = deployment.browser.get("/slack/install")
    add = unescape(re.search(r'id="add-to-slack"[^>]*href="([^"]+)"', page.text)[1])
    state = re.search(r"state=([^&]+)", add)[1]
    other_browser = httpx.get(
        f"{deployment.base_url}/slack/oauth_redirect", params={"code": "x", "state": state}
    )
    assert other_browser.status_code == 400
    assert "started in another browser" in other_browser.text
    assert rows(deployment.database, INSTALLATIONS) == []


def test_a_wrong_client_secret_fails_the_install_with_a_clear_page(db, standin):
    standin.reset(everything=True)
    settings = oauth_settings(standin, db, slack_client_secret="not-the-secret")
    app = build_app(settings, db, build_web_client(None, standin.base_url))
    server = BackgroundServer(app, SIGNING_SECRET).start()
    standin.installs.redirect_uri = f"{server.base_url}/slack/oauth_redirect"
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as browser:
            page = Deployment(standin, server, db, browser).install()
    finally:
        server.stop()
    assert page.status_code == 401
    assert "Slack did not accept the install" in page.text
    [call] = standin.calls("oauth.v2.access")
    assert call.response["error"] == "bad_client_secret"
    assert rows(db, INSTALLATIONS) == []


def test_the_install_routes_keep_the_body_limit(deployment):
    huge = b"x" * (3 * 1024 * 1024)
    response = httpx.request(
        "GET", f"{deployment.base_url}/slack/install", content=huge, timeout=10
    )
    assert response.status_code == 413


def test_token_mode_serves_no_install_routes(slack):
    base = slack.url.rsplit("/slack/events", 1)[0]
    assert httpx.get(f"{base}/slack/install").status_code == 404


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_an_uninstall_removes_that_workspace_installation_only(deployment, event):
    deployment.standin.installs.add_team("T0002", "Beta Corp")
    deployment.install()
    deployment.install("T0002")
    with deployment.requests("T0002") as requests:
        assert requests.event(event).status_code == 200
    wait_until(lambda: workspace(deployment.database, "T0002").uninstalled_at is not None)
    # The bot and the installation rows are deleted one after the other (slack-sdk's store).
    wait_until(lambda: {r["team_id"] for r in rows(deployment.database, BOTS)} == {"T0001"})
    wait_until(
        lambda: {r["team_id"] for r in rows(deployment.database, INSTALLATIONS)} == {"T0001"}
    )
    assert workspace(deployment.database, "T0001").uninstalled_at is None


def test_revoking_only_user_tokens_keeps_the_installation(deployment):
    deployment.install()
    with deployment.requests("T0001") as requests:
        event = {"type": "tokens_revoked", "tokens": {"oauth": ["UDANA"], "bot": []}}
        assert requests.event(event).status_code == 200
    time.sleep(0.3)
    assert [r["team_id"] for r in rows(deployment.database, BOTS)] == ["T0001"]
    assert workspace(deployment.database, "T0001").uninstalled_at is None


def test_installing_again_after_an_uninstall_resumes_the_workspace(deployment):
    deployment.install()
    with deployment.requests("T0001") as requests:
        requests.event({"type": "app_uninstalled"})
    wait_until(lambda: workspace(deployment.database, "T0001").uninstalled_at is not None)
    assert deployment.install().status_code == 200
    assert workspace(deployment.database, "T0001").uninstalled_at is None
    assert len(rows(deployment.database, BOTS)) == 1


def test_the_stored_bot_decrypts_to_the_workspace_token(deployment):
    deployment.install()
    [bot] = rows(deployment.database, BOTS)
    token = Fernet(KEY).decrypt(bot["bot_token"].encode()).decode()
    assert token.startswith("xoxb-T0001-")
    assert deployment.standin.installs.owner(token) == ("T0001", None)


def test_the_manifest_names_the_redirect_url_and_the_uninstall_events():
    from sambot.slack.manifest import build_manifest

    manifest = build_manifest(request_url="https://sambot.example.com/")
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://sambot.example.com/slack/oauth_redirect"
    ]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    assert manifest["settings"]["org_deploy_enabled"] is True


def test_tokens_are_never_logged(deployment, caplog):
    import logging

    caplog.set_level(logging.INFO)
    deployment.install()
    with deployment.requests("T0001") as requests:
        home_opened(requests)
    publish_by(deployment.standin, "T0001")
    tokens = [t for t in deployment.standin.installs.tokens if t.startswith("xoxb-T0001-")]
    assert tokens and caplog.records
    assert not any(token in caplog.text for token in tokens)
    assert "installed in Local Slack" in caplog.text
