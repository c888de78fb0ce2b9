"""Every Slack entry point, registered by kind."""

from slack_bolt import App

from sambot.slack.listeners import (
    audit,
    buttons,
    checkpoints,
    commands,
    events,
    home,
    installs,
    plan,
    portfolio,
    programme,
    records,
    relationships,
    reports,
    settings,
    shortcuts,
    team_follow,
    views,
)

# Bolt tries listeners in this order, and each one tried costs it a call (15-20 µs): the
# slash commands, the busiest entry points, come first.
LISTENER_MODULES = (
    commands,
    events,
    reports,
    views,
    buttons,
    shortcuts,
    records,
    relationships,
    plan,
    checkpoints,
    team_follow,
    home,
    programme,
    portfolio,
    installs,
    settings,
    audit,
)


def register(app: App) -> None:
    for module in LISTENER_MODULES:
        module.register(app)
