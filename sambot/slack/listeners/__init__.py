"""Every Slack entry point, registered by kind."""

from slack_bolt import App

from sambot.slack.listeners import (
    buttons,
    commands,
    events,
    plan,
    records,
    relationships,
    reports,
    shortcuts,
    views,
)

LISTENER_MODULES = (
    events,
    commands,
    reports,
    views,
    buttons,
    shortcuts,
    records,
    relationships,
    plan,
)


def register(app: App) -> None:
    for module in LISTENER_MODULES:
        module.register(app)
