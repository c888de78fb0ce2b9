"""Every Slack entry point, registered by kind."""

from slack_bolt import App

from sambot.slack.listeners import (
    buttons,
    checkpoints,
    commands,
    events,
    home,
    programme,
    reports,
    shortcuts,
    team_follow,
    views,
)


def register(app: App) -> None:
    for module in (
        events,
        commands,
        reports,
        views,
        buttons,
        shortcuts,
        checkpoints,
        team_follow,
        home,
        programme,
    ):
        module.register(app)
