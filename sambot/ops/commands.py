"""The operations commands: `sambot doctor`, `sambot export all`, `sambot import all`."""

import sys

from sambot.cli_output import output_to
from sambot.config import Settings


def doctor(settings: Settings) -> int:
    from sambot.db import Database
    from sambot.ops.doctor import diagnose, report
    from sambot.slack.client import build_web_client

    client = installs = None
    database = Database(settings.database_url)
    if settings.slack_bot_token:
        client = build_web_client(
            settings.slack_bot_token, settings.slack_api_url, max_retries=0, timeout=10
        )
    elif settings.oauth_install:
        from sambot.installs.clients import WorkspaceClients
        from sambot.slack.install import installation_store

        installs = WorkspaceClients(
            installation_store(settings, database), settings.slack_api_url, max_retries=0
        )
    try:
        return report(diagnose(settings, database, client, installs=installs))
    finally:
        database.dispose()


def export_all(settings: Settings, *, team: str | None, output: str | None) -> int:
    from sqlalchemy import select

    from sambot.db import Database
    from sambot.ops.transfer import TransferError, write_export
    from sambot.workspaces.models import Workspace

    database = Database(settings.database_url)
    try:
        if team is None:
            with database.session() as db:
                teams = list(db.scalars(select(Workspace.team_id)))
            if len(teams) != 1:
                known = ", ".join(teams) or "none yet"
                print(f"sambot: name the workspace with --team ({known})", file=sys.stderr)
                return 2
            team = teams[0]
        with output_to(output) as out:
            rows = write_export(database, team, out)
    except TransferError as exc:
        print(f"sambot: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"exported {rows} rows of workspace {team}", file=sys.stderr)
    return 0


def import_all(settings: Settings, file: str) -> int:
    from sambot.db import Database
    from sambot.ops.transfer import TransferError, import_workspace

    database = Database(settings.database_url)
    try:
        if file == "-":
            rows = import_workspace(database, sys.stdin)
        else:
            with open(file, encoding="utf-8") as lines:
                rows = import_workspace(database, lines)
    except TransferError as exc:
        print(f"sambot: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"imported {rows} rows", file=sys.stderr)
    return 0
