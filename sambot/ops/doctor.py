"""`sambot doctor`: is this installation able to work? Each check says what to fix."""

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from sambot.config import Settings
from sambot.db import Database
from sambot.ops.health import readiness_problem


@dataclass
class Finding:
    ok: bool
    what: str
    fix: str = ""


def diagnose(
    settings: Settings, database: Database, client: WebClient | None, *, installs=None
) -> list[Finding]:
    """`client` holds the one bot token (SLACK_BOT_TOKEN); `installs` (OAuth install: a
    `WorkspaceClients`) gives each installed workspace's own, each checked on its own."""
    findings = [_configuration(settings)]
    problem = readiness_problem(database)
    findings.append(
        Finding(False, f"database: {problem}", "check DATABASE_URL, then `sambot db upgrade`")
        if problem
        else Finding(True, "database: reachable, schema up to date")
    )
    if client is not None:
        findings.extend(_with_token(client, database if problem is None else None))
    elif installs is not None and problem is None:
        findings.extend(_each_installed_workspace(database, installs))
    return findings


def _with_token(
    client: WebClient, database: Database | None, *, team: str | None = None, workspace_id=None
) -> list[Finding]:
    """The token, its scopes and, when the database is usable, the linked channels."""
    what = f"token of {team}" if team else "token"
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        fix = (
            f"install sambot in {team} again (/slack/install)"
            if team
            else "copy the Bot User OAuth Token of the installed app into SLACK_BOT_TOKEN "
            "(reinstall the app if it was uninstalled)"
        )
        return [Finding(False, f"{what}: Slack refused it ({error})", fix)]
    except Exception as exc:
        return [Finding(False, f"{what}: Slack did not answer ({type(exc).__name__})", _NETWORK)]
    findings = [Finding(True, f"{what}: the bot {auth.get('user')} in {auth.get('team')}")]
    findings.append(_scopes(auth.headers))
    if database is not None:
        findings.extend(_channels(database, client, workspace_id=workspace_id))
    return findings


def _each_installed_workspace(database: Database, installs) -> list[Finding]:
    from sambot.workspaces.models import Workspace

    with database.session() as db:
        installed = db.execute(
            select(Workspace.id, Workspace.team_id, Workspace.enterprise_id)
            .where(Workspace.uninstalled_at.is_(None))
            .order_by(Workspace.team_id)
        ).all()
    if not installed:
        return [
            Finding(
                False,
                "installs: no workspace has installed sambot yet",
                "open https://<this host>/slack/install and add sambot to a workspace",
            )
        ]
    findings = []
    for workspace_id, team_id, enterprise_id in installed:
        client = installs.for_workspace(team_id, enterprise_id)
        if client is None:
            findings.append(
                Finding(
                    False,
                    f"token of {team_id}: no installation holds one",
                    f"install sambot in {team_id} again (/slack/install)",
                )
            )
            continue
        findings.extend(_with_token(client, database, team=team_id, workspace_id=workspace_id))
    return findings


_NETWORK = "check SLACK_API_URL and that this host reaches Slack over https"


def _configuration(settings: Settings) -> Finding:
    if not (settings.slack_bot_token or settings.oauth_install):
        return Finding(
            False,
            "configuration: neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID and SLACK_CLIENT_SECRET",
            "set SLACK_BOT_TOKEN (xoxb-..., one workspace), or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (workspaces install sambot through /slack/install)",
        )
    if not (settings.slack_signing_secret or settings.slack_app_token):
        return Finding(
            False,
            "configuration: neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode)",
            "set the one for how Slack reaches sambot",
        )
    mode = "Socket Mode" if settings.has_socket_mode else "HTTP"
    if settings.oauth_install:
        mode = f"OAuth install, {mode}"
    return Finding(True, f"configuration: complete ({mode})")


def _scopes(headers) -> Finding:
    from sambot.slack.manifest import BOT_SCOPES

    granted_header = {k.lower(): v for k, v in (headers or {}).items()}.get("x-oauth-scopes")
    if granted_header is None:
        return Finding(False, "scopes: Slack did not say which scopes the token has", _NETWORK)
    granted = {scope.strip() for scope in granted_header.split(",") if scope.strip()}
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    if missing:
        return Finding(
            False,
            f"scopes: missing {', '.join(missing)}",
            "update the app from `sambot manifest` at api.slack.com/apps and reinstall it",
        )
    return Finding(True, f"scopes: all {len(BOT_SCOPES)} the manifest asks for")


def _channels(database: Database, client: WebClient, *, workspace_id=None) -> list[Finding]:
    from sambot.accounts.models import Account

    query = select(Account.name, Account.channel_id).where(Account.channel_id.is_not(None))
    if workspace_id is not None:  # a workspace's token sees its own channels only
        query = query.where(Account.workspace_id == workspace_id)
    with database.session() as db:
        linked = db.execute(query.order_by(Account.name)).all()
    findings = []
    for name, channel in linked:
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as exc:
            findings.append(
                Finding(
                    False,
                    f"channel of {name} (<#{channel}>): {exc.response.get('error')}",
                    f"link {name} to a channel again (`/sam link {name}` there), or invite "
                    "the bot if the channel is private",
                )
            )
            continue
        if info.get("is_archived"):
            findings.append(
                Finding(
                    False,
                    f"channel of {name} (#{info.get('name')}): archived",
                    "unarchive it, or link the account to another channel",
                )
            )
        elif not info.get("is_member"):
            findings.append(
                Finding(
                    False,
                    f"channel of {name} (#{info.get('name')}): the bot is not a member",
                    f"`/invite @sambot` in #{info.get('name')}",
                )
            )
    if not findings:
        findings.append(Finding(True, f"channels: all {len(linked)} linked channels have the bot"))
    return findings


def report(findings: list[Finding], out: Callable[[str], None] = print) -> int:
    for finding in findings:
        out(f"{'ok ' if finding.ok else 'FIX'} {finding.what}")
        if not finding.ok and finding.fix:
            out(f"    -> {finding.fix}")
    failed = sum(not f.ok for f in findings)
    out("all good" if not failed else f"{failed} to fix")
    return 0 if not failed else 1
