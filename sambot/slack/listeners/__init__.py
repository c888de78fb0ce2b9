"""Every Slack entry point, registered by kind."""

from slack_bolt import App

from sambot.slack.listeners import (
    buttons,
    commands,
    events,
    installs,
    reports,
    shortcuts,
    views,
)


def register(app: App) -> None:
    for module in (events, commands, reports, views, buttons, shortcuts, installs):
        module.register(app)
