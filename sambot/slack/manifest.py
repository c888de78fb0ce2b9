"""The Slack app manifest, built from the same catalog the listeners register from."""

from sambot.slack.catalog import BOT_EVENTS, SHORTCUTS, SLASH_COMMANDS
from sambot.slack.server import EVENTS_PATH

REDIRECT_PATH = "/slack/oauth_redirect"  # sambot.slack.install's

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "users:read.email",
    "channels:read",
    "groups:read",
    "channels:join",
    "im:write",
    "files:write",
    # A scheduled post whose outcome is unknown is looked for in its channel's history.
    "channels:history",
    "groups:history",
    "im:history",
    "files:read",  # download a CSV shared for /sam import
]


def build_manifest(*, request_url: str | None = None, socket_mode: bool = False) -> dict:
    """Socket Mode needs no public URL; HTTP mode points every feature at /slack/events."""
    url = (
        None
        if socket_mode
        else (request_url or "https://sambot.example.com").rstrip("/") + EVENTS_PATH
    )
    commands = []
    for command in SLASH_COMMANDS:
        entry = {
            "command": command.command,
            "description": command.description,
            "usage_hint": command.usage_hint,
            "should_escape": command.should_escape,
        }
        if url:
            entry["url"] = url
        commands.append(entry)
    oauth = {"scopes": {"bot": BOT_SCOPES}}
    if url:
        # Several workspaces install through /slack/install, which Slack redirects back to.
        oauth["redirect_urls"] = [url.removesuffix(EVENTS_PATH) + REDIRECT_PATH]
    interactivity = {"is_enabled": True}
    events = {"bot_events": BOT_EVENTS}
    if url:
        interactivity["request_url"] = url
        events["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "sambot",
            "description": "Strategic account plans that live where the account team talks.",
            "background_color": "#1d3557",
        },
        "features": {
            "bot_user": {"display_name": "sambot", "always_online": True},
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "slash_commands": commands,
            "shortcuts": [
                {
                    "name": shortcut.name,
                    "type": shortcut.type,
                    "callback_id": str(shortcut.callback_id),
                    "description": shortcut.description,
                }
                for shortcut in SHORTCUTS
            ],
        },
        "oauth_config": oauth,
        "settings": {
            "interactivity": interactivity,
            "event_subscriptions": events,
            # Enterprise Grid: an org may install sambot once for all its workspaces.
            "org_deploy_enabled": True,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
