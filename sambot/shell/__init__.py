"""`sambot shell`: sambot in a terminal, with no Slack workspace (see session.py)."""

import logging

from sambot.config import Settings


def run_shell(settings: Settings, *, demo: bool = False) -> int:
    """Open the interactive shell on settings.database_url; exit code 0 when it ends."""
    # Migration and server chatter would bury the conversation; warnings and errors still show.
    logging.getLogger().setLevel(logging.WARNING)
    from sambot.shell.session import Shell

    return Shell(settings).run(load_demo=demo)


def load_demo(settings: Settings) -> int:
    """`sambot demo load`: the demo portfolio, without the shell."""
    from sambot import migrate
    from sambot.dates import today_in
    from sambot.db import Database
    from sambot.shell.demo import load_demo as load

    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        result = load(
            database, timezone=settings.sambot_timezone, today=today_in(settings.timezone)
        )
    finally:
        database.dispose()
    if result.created:
        print(f"Demo portfolio loaded: {', '.join(result.created)}.")
    if result.skipped:
        print(f"Already there, left as they are: {', '.join(result.skipped)}.")
    return 0
