"""Every Slack entry point, registered by kind."""

from slack_bolt import App

from sambot.slack.listeners import buttons, commands, shortcuts, views


def register(app: App) -> None:
    for module in (commands, views, buttons, shortcuts):
        module.register(app)
