"""Installing sambot in a workspace: Bolt's OAuth flow, sambot's install and result pages.

`/slack/install` says what sambot does and which scopes it asks for, with the "Add to
Slack" link (carrying a one-time state, kept in the database and in a cookie);
`/slack/oauth_redirect` exchanges Slack's code for the workspace's bot token
(`oauth.v2.access`), stores the installation (slack-sdk's SQLAlchemy store, tokens
encrypted when SAMBOT_ENCRYPTION_KEY is set), records the workspace and says how it went.
"""

import logging
from html import escape

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings

from sambot.config import Settings
from sambot.db import Database
from sambot.installs import service as installs
from sambot.installs.store import InstallationStore, StateStore, TokenCipher

log = logging.getLogger("sambot.install")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

# What each scope lets sambot do, as the install page says it.
SCOPE_REASONS = {
    "commands": "add the /sam, /touchpoint and /action commands",
    "chat:write": "post account reports, reminders and answers",
    "chat:write.public": "post an account's report in a public channel it was not invited to",
    "users:read": "read people's names and time zones, so dates are their own",
    "users:read.email": "match stakeholders and team members by email",
    "channels:read": "see which public channel is linked to which account",
    "groups:read": "see private channels it was invited to",
    "channels:join": "join an account's public channel to post its report",
    "im:write": "send you reminders in a direct message",
    "files:write": "attach exported account plans",
}

WHAT_SAMBOT_DOES = [
    "Keeps each strategic account's plan in Slack: objectives, stakeholders, the account "
    "team and their actions.",
    "Logs touchpoints with a client from the channel where the team talks about it.",
    "Posts a monthly report in each account's channel and reminds owners of overdue actions.",
]

FAILURE_REASONS = {
    "access_denied": "The install was cancelled: nothing was added to your workspace.",
    "invalid_browser": (
        "This install was started in another browser, or its cookie was blocked. "
        "Start again from this browser."
    ),
    "invalid_state": "This install link has expired or was already used. Start again.",
    "missing_code": "Slack sent no authorization code back. Start again.",
    "invalid_code": (
        "Slack did not accept the install (its code was invalid or expired, or sambot's "
        "credentials are wrong). Start again; if it fails again, tell whoever runs sambot."
    ),
    "storage_error": "sambot could not save the install. Please try again in a minute.",
}


def authorize_url_for(api_url: str) -> str:
    """Slack's authorize page beside its Web API (https://slack.com/oauth/v2/authorize)."""
    return api_url.rstrip("/").removesuffix("/api") + "/oauth/v2/authorize"


def installation_store(settings: Settings, database: Database) -> InstallationStore:
    return InstallationStore(
        client_id=settings.slack_client_id or "",
        engine=database.engine,
        cipher=TokenCipher(settings.sambot_encryption_key),
    )


class SambotOAuthFlow(OAuthFlow):
    """Bolt's flow with sambot's own install page."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url, list(self.settings.scopes or []))


def build_oauth_flow(
    settings: Settings, database: Database, store: InstallationStore
) -> SambotOAuthFlow:
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        installs.installed(
            database,
            team_id=installation.team_id,
            enterprise_id=installation.enterprise_id,
            name=installation.team_name or installation.enterprise_name or "",
            timezone=settings.sambot_timezone,
        )
        where = installation.team_name or installation.enterprise_name or "your workspace"
        org_wide = bool(installation.is_enterprise_install)
        log.info(
            "installed in %s (team %s, enterprise %s)",
            where,
            installation.team_id,
            installation.enterprise_id,
        )
        return _html(200, success_page(where, org_wide=org_wide))

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("install failed: %s", args.reason)
        return _html(args.suggested_status_code, failure_page(args.reason))

    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=settings.scopes,
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url_for(settings.slack_api_url),
        installation_store=store,
        state_store=StateStore(database.engine),
        callback_options=CallbackOptions(success=success, failure=failure),
    )
    return SambotOAuthFlow(settings=oauth_settings)


def _html(status: int, body: str) -> BoltResponse:
    return BoltResponse(
        status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8"}
    )


_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1c1d;
       max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { color: #1d3557; font-size: 1.6rem; }
code { background: #f4f4f4; padding: 0 .25rem; border-radius: 3px; }
.button { display: inline-block; background: #4a154b; color: #fff; padding: .7rem 1.3rem;
          border-radius: 6px; text-decoration: none; font-weight: 600; }
.error { border-left: 4px solid #e01e5a; padding-left: 1rem; }
.ok { border-left: 4px solid #2eb67d; padding-left: 1rem; }
li { margin: .3rem 0; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def install_page(url: str, scopes: list[str]) -> str:
    does = "".join(f"<li>{escape(line)}</li>" for line in WHAT_SAMBOT_DOES)
    asks = "".join(
        f"<li><code>{escape(scope)}</code>: {escape(SCOPE_REASONS.get(scope, 'as Slack describes it'))}</li>"
        for scope in scopes
    )
    return _page(
        "Add sambot to Slack",
        "<h1>Add sambot to your Slack workspace</h1>"
        f"<p>sambot keeps strategic account plans where the account team talks.</p><ul>{does}</ul>"
        f'<h2>What it asks Slack for</h2><ul id="scopes">{asks}</ul>'
        "<p>It reads no message history: it sees what you send it through its commands, "
        "shortcuts and buttons.</p>"
        f'<p><a id="add-to-slack" class="button" href="{escape(url)}">Add to Slack</a></p>',
    )


def success_page(where: str, *, org_wide: bool = False) -> str:
    scope = "every workspace of " if org_wide else ""
    return _page(
        "sambot is installed",
        f'<div class="ok"><h1>sambot is installed in {scope}{escape(where)}</h1></div>'
        "<p>Next, in Slack:</p><ul>"
        "<li>type <code>/sam help</code> to see what it does;</li>"
        "<li>create an account with <code>/sam account new</code>, and link its channel "
        "with <code>/sam link</code>;</li>"
        "<li>invite <code>@sambot</code> to private channels you link.</li></ul>"
        "<p>You can close this page.</p>",
    )


def failure_page(reason: str) -> str:
    text = FAILURE_REASONS.get(reason, f"Slack answered: {reason}.")
    return _page(
        "sambot was not installed",
        '<div class="error"><h1>sambot was not installed</h1>'
        f'<p id="reason">{escape(text)}</p></div>'
        f'<p><a id="try-again" class="button" href="{INSTALL_PATH}">Start again</a></p>',
    )
