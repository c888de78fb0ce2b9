"""Uninstall: `app_uninstalled`, and `tokens_revoked` for the bot's token.

Bolt runs these without authorizing (the token is already gone). The workspace's jobs stop
at once and its installation is removed; its data is kept for SAMBOT_RETENTION_DAYS, then
`sambot workspace purge` removes it.
"""

from slack_bolt import App

from sambot.installs import service as installs
from sambot.slack.errors import reported


def register(app: App) -> None:
    app.event("app_uninstalled")(reported(app_uninstalled))
    app.event("tokens_revoked")(reported(tokens_revoked))


def app_uninstalled(body, context, sam):
    _stop(sam, context.team_id, context.enterprise_id, body)


def tokens_revoked(event, body, context, sam):
    # Only the bot's token matters: sambot asks for no user tokens.
    if event.get("tokens", {}).get("bot"):
        _stop(sam, context.team_id, context.enterprise_id, body)


def _stop(sam, team_id, enterprise_id, body) -> None:
    org_wide = bool(body.get("is_enterprise_install")) or not team_id
    installs.uninstalled(
        sam.database,
        team_id=None if org_wide else team_id,
        enterprise_id=enterprise_id,
        store=sam.installations,
    )
    if team_id:
        sam.forget_workspace(team_id)
