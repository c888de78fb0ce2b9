"""The `sambot` command."""

import argparse
import logging
import sys

from sambot import __version__
from sambot.config import ConfigError, Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sambot",
        description="sambot: strategic account plans that live in Slack.",
    )
    parser.add_argument("--version", action="version", version=f"sambot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply migrations up to the latest")
    upgrade.add_argument("--revision", default="head")
    downgrade = db_commands.add_parser("downgrade", help="undo migrations down to a revision")
    downgrade.add_argument("--revision", default="-1")
    db_commands.add_parser("current", help="show the revision the database is at")

    run = commands.add_parser(
        "run", help="serve the Slack app (HTTP, or Socket Mode with an app token) and the scheduler"
    )
    run.add_argument("--no-scheduler", action="store_true", help="serve Slack requests only")

    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--request-url", help="public base URL of this server, for HTTP mode")
    manifest.add_argument("--socket", action="store_true", help="a manifest for Socket Mode")

    jobs = commands.add_parser("jobs", help="scheduled jobs: list them, or run one now")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", metavar="JOBS_COMMAND", required=True)
    jobs_commands.add_parser("list", help="each job, its schedule and its next run time")
    run_job = jobs_commands.add_parser("run", help="run a job now (posts what is not posted yet)")
    run_job.add_argument("job", choices=["monthly-report", "nudges"])
    run_job.add_argument(
        "--at",
        metavar="ISO-DATETIME",
        help="run as if the clock read this (no offset: the workspace time zone)",
    )
    run_job.add_argument("--account", metavar="NAME", help="only this account")
    run_job.add_argument(
        "--dry-run", action="store_true", help="print what would be posted; post and record nothing"
    )
    commands.add_parser("scheduler", help="run the scheduled jobs alone, without the Slack server")

    shell = commands.add_parser(
        "shell", help="try sambot in a terminal, with no Slack workspace (the embedded database)"
    )
    shell.add_argument("--demo", action="store_true", help="load the demo portfolio first")
    demo = commands.add_parser("demo", help="the demo portfolio")
    demo_commands = demo.add_subparsers(dest="demo_command", metavar="DEMO_COMMAND", required=True)
    demo_commands.add_parser("load", help="load the demo portfolio (again: nothing is duplicated)")
    workspace = commands.add_parser(
        "workspace", help="installed workspaces: list them, purge uninstalled ones' data"
    )
    workspace_commands = workspace.add_subparsers(
        dest="workspace_command", metavar="WORKSPACE_COMMAND", required=True
    )
    workspace_commands.add_parser("list", help="every workspace, installed or not")
    purge = workspace_commands.add_parser(
        "purge",
        help="delete the data of workspaces uninstalled SAMBOT_RETENTION_DAYS ago (a dry run "
        "unless --apply)",
    )
    purge.add_argument("--team", metavar="TEAM_ID", help="only this workspace")
    purge.add_argument(
        "--now", action="store_true", help="do not wait for the retention period to end"
    )
    purge.add_argument("--apply", action="store_true", help="delete (without it: a dry run)")
    workspace_commands.add_parser("new-key", help="print a new key for SAMBOT_ENCRYPTION_KEY")
    workspace_commands.add_parser(
        "rotate-key", help="encrypt every stored token with the first SAMBOT_ENCRYPTION_KEY key"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"sambot: configuration error: {exc}", file=sys.stderr)
        return 2
    handler = {
        "db": _db,
        "run": _run,
        "manifest": _manifest,
        "jobs": _jobs,
        "scheduler": _scheduler,
        "shell": _shell,
        "demo": _demo,
        "workspace": _workspace,
    }[args.command]
    return handler(args, settings)


def _db(args, settings: Settings) -> int:
    from alembic import command

    from sambot import migrate

    config = migrate.alembic_config(settings.database_url)
    if args.db_command == "upgrade":
        command.upgrade(config, args.revision)
    elif args.db_command == "downgrade":
        command.downgrade(config, args.revision)
    else:
        command.current(config)
    return 0


def _run(args, settings: Settings) -> int:
    if not (settings.has_slack_http or settings.has_socket_mode):
        # No workspace yet: the local shell lets a newcomer try sambot at once.
        print("sambot: no Slack workspace configured; starting the local shell.", file=sys.stderr)
        return _shell(args, settings)
    from sambot import migrate
    from sambot.db import Database
    from sambot.slack.app import build_app
    from sambot.slack.server import serve_http, serve_socket_mode

    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    app = build_app(settings, database)
    if not args.no_scheduler:
        from sambot.jobs import start_background_scheduler
        from sambot.jobs.commands import workspace_clients

        start_background_scheduler(settings, database, workspace_clients(settings, database))
    if settings.has_socket_mode:
        serve_socket_mode(app, settings.slack_app_token, port=settings.port)
    else:
        serve_http(app, settings.slack_signing_secret, port=settings.port)
    return 0


def _manifest(args, settings: Settings) -> int:
    import json

    from sambot.slack.manifest import build_manifest

    manifest = build_manifest(request_url=args.request_url, socket_mode=args.socket)
    print(json.dumps(manifest, indent=2))
    return 0


def _jobs(args, settings: Settings) -> int:
    from sambot.jobs import commands

    if args.jobs_command == "list":
        return commands.jobs_list(settings)
    return commands.jobs_run(
        settings, job=args.job, at=args.at, account=args.account, dry_run=args.dry_run
    )


def _scheduler(args, settings: Settings) -> int:
    from sambot.jobs import commands

    return commands.scheduler(settings)


def _shell(args, settings: Settings) -> int:
    from sambot.shell import run_shell

    return run_shell(settings, demo=getattr(args, "demo", False))


def _demo(args, settings: Settings) -> int:
    from sambot.shell import load_demo

    return load_demo(settings)


def _workspace(args, settings: Settings) -> int:
    from sambot.installs import commands

    if args.workspace_command == "list":
        return commands.workspace_list(settings)
    if args.workspace_command == "new-key":
        return commands.new_key()
    if args.workspace_command == "rotate-key":
        return commands.rotate_key(settings)
    return commands.workspace_purge(settings, team=args.team, now=args.now, apply=args.apply)
