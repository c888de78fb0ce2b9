"""Which mode `sambot run` serves: one workspace's token, or the OAuth install."""

from sambot.config import load_settings
from sambot.db import Database
from sambot.slack.app import build_app
from sambot.slack.manifest import BOT_SCOPES

OAUTH = {"slack_client_id": "1.2", "slack_client_secret": "s", "slack_signing_secret": "x"}


def test_client_credentials_without_a_bot_token_mean_the_oauth_install():
    settings = load_settings(**OAUTH)
    assert settings.oauth_install and settings.has_slack_http
    assert settings.scopes == BOT_SCOPES
    assert load_settings(**OAUTH, slack_app_token="xapp-1").has_socket_mode


def test_a_bot_token_keeps_the_single_workspace_mode():
    settings = load_settings(**OAUTH, slack_bot_token="xoxb-1")
    assert not settings.oauth_install and settings.has_slack_http


def test_slack_scopes_overrides_the_manifest_scopes():
    settings = load_settings(**OAUTH, slack_scopes="commands, chat:write")
    assert settings.scopes == ["commands", "chat:write"]


def test_the_app_serves_the_install_routes_in_oauth_mode(db: Database):
    oauth = build_app(load_settings(**OAUTH, database_url=db.url), db)
    assert oauth.oauth_flow is not None
    assert oauth.oauth_flow.install_path == "/slack/install"
    assert oauth.oauth_flow.redirect_uri_path == "/slack/oauth_redirect"
    # Token mode serving no install route: tests/slack/test_install.py.
