"""The install flow in a real browser: headless Chromium (Debian's package) driven by
Playwright, against the app and the stand-in's authorize page and oauth.v2.access.

Screenshots of each page are saved under var/screenshots/. Runs wherever Chromium is
installed (.ci/run installs it); skipped only where it is not.
"""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from sambot.installs.models import BOTS
from sambot.localslack.server import SlackStandIn
from sambot.slack.app import build_app
from sambot.slack.client import build_web_client
from sambot.slack.server import BackgroundServer
from tests.slack.conftest import SIGNING_SECRET
from tests.slack.test_install import oauth_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def app_url(db, standin):
    standin.reset(everything=True)
    settings = oauth_settings(standin, db)
    app = build_app(settings, db, build_web_client(None, standin.base_url))
    server = BackgroundServer(app, SIGNING_SECRET).start()
    standin.installs.redirect_uri = f"{server.base_url}/slack/oauth_redirect"
    yield server.base_url
    server.stop()


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        # Debian's Chromium, not a downloaded one.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport={"width": 900, "height": 700})
        finally:
            browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_installing_in_a_browser(page, app_url, db):
    page.goto(f"{app_url}/slack/install")
    assert page.locator("h1").inner_text() == "Add sambot to your Slack workspace"
    assert "chat:write" in page.locator("#scopes").inner_text()
    shot(page, "1-install-page")

    page.click("#add-to-slack")
    page.wait_for_selector("#allow")
    assert "Local Slack" in page.locator("h1").inner_text()
    shot(page, "2-slack-authorize")

    page.click("#allow")
    page.wait_for_selector(".ok h1")
    assert page.locator("h1").inner_text() == "sambot is installed in Local Slack"
    assert page.url.startswith(f"{app_url}/slack/oauth_redirect?code=")
    shot(page, "3-installed")
    with db.engine.connect() as connection:
        assert list(connection.scalars(select(BOTS.c.team_id))) == ["T0001"]


def test_cancelling_in_a_browser_shows_the_error_page(page, app_url, db):
    page.goto(f"{app_url}/slack/install")
    page.click("#add-to-slack")
    page.wait_for_selector("#cancel")
    page.click("#cancel")
    page.wait_for_selector(".error h1")
    assert page.locator("h1").inner_text() == "sambot was not installed"
    assert "cancelled" in page.locator("#reason").inner_text()
    shot(page, "4-cancelled")

    page.click("#try-again")
    page.wait_for_selector("#add-to-slack")
    assert page.url == f"{app_url}/slack/install"
    with db.engine.connect() as connection:
        assert list(connection.scalars(select(BOTS.c.team_id))) == []
