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


def diagnose(settings: Settings, database: Database, client: WebClient | None) -> list[Finding]:
    findings = [_configuration(settings)]
    problem = readiness_problem(database)
    findings.append(
        Finding(False, f"database: {problem}", "check DATABASE_URL, then `sambot db upgrade`")
        if problem
        else Finding(True, "database: reachable, schema up to date")
    )
    if client is None:
        return findings
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        findings.append(
            Finding(
                False,
                f"token: Slack refused it ({error})",
                "copy the Bot User OAuth Token of the installed app into SLACK_BOT_TOKEN "
                "(reinstall the app if it was uninstalled)",
            )
        )
        return findings
    except Exception as exc:
        findings.append(
            Finding(False, f"token: Slack did not answer ({type(exc).__name__})", _NETWORK)
        )
        return findings
    findings.append(Finding(True, f"token: the bot {auth.get('user')} in {auth.get('team')}"))
    findings.append(_scopes(auth.headers))
    if problem is None:
        findings.extend(_channels(database, client))
    return findings


_NETWORK = "check SLACK_API_URL and that this host reaches Slack over https"


def _configuration(settings: Settings) -> Finding:
    if not settings.slack_bot_token:
        return Finding(False, "configuration: SLACK_BOT_TOKEN is not set", "set it (xoxb-...)")
    if not (settings.slack_signing_secret or settings.slack_app_token):
        return Finding(
            False,
            "configuration: neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode)",
            "set the one for how Slack reaches sambot",
        )
    mode = "Socket Mode" if settings.has_socket_mode else "HTTP"
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


def _channels(database: Database, client: WebClient) -> list[Finding]:
    from sambot.accounts.models import Account

    with database.session() as db:
        linked = db.execute(
            select(Account.name, Account.channel_id)
            .where(Account.channel_id.is_not(None))
            .order_by(Account.name)
        ).all()
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
