"""The `sambot` command."""

import argparse
import logging
import sys

from sambot import __version__
from sambot.cli_output import output_to
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
    run_job.add_argument(
        "job", choices=["monthly-report", "nudges", "cadence", "checkpoints", "programme"]
    )
    run_job.add_argument(
        "--at",
        metavar="ISO-DATETIME",
        help="run as if the clock read this (no offset: the workspace time zone)",
    )
    run_job.add_argument("--account", metavar="NAME", help="only this account")
    run_job.add_argument("--team", metavar="TEAM_ID", help="only this workspace")
    run_job.add_argument(
        "--dry-run", action="store_true", help="print what would be posted; post and record nothing"
    )
    commands.add_parser("scheduler", help="run the scheduled jobs alone, without the Slack server")

    shell = commands.add_parser(
        "shell", help="try sambot in a terminal, with no Slack workspace (the embedded database)"
    )
    shell.add_argument("--demo", action="store_true", help="load the demo portfolio first")
    importing = commands.add_parser(
        "import", help="import accounts from a CSV file, or an export into an empty database"
    )
    import_commands = importing.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    import_accounts = import_commands.add_parser(
        "accounts", help="create or update accounts (matched by name) from a CSV file"
    )
    import_accounts.add_argument("file", metavar="FILE.csv")
    import_accounts.add_argument("--dry-run", action="store_true", help="show what would change")
    import_accounts.add_argument(
        "--all-or-nothing", action="store_true", help="write nothing if any row is bad"
    )
    import_accounts.add_argument(
        "--period", metavar="YYYY-MM", help="the snapshot's month (default: this month)"
    )
    import_accounts.add_argument(
        "--owner", metavar="USER_ID", help="owner of new accounts whose row names none"
    )
    import_accounts.add_argument("--team", metavar="TEAM_ID", help="the Slack workspace")
    import_all = import_commands.add_parser(
        "all", help="every table of a `sambot export all`, into an empty database"
    )
    import_all.add_argument("file", metavar="FILE", help="the export (- for stdin)")
    portfolio = commands.add_parser(
        "portfolio", help="the Pareto analysis of the accounts (which to make strategic)"
    )
    portfolio.add_argument("--by", choices=["margin", "revenue", "potential"], default="margin")
    portfolio.add_argument("--csv", metavar="FILE", help="also write the ranking to a CSV file")
    portfolio.add_argument(
        "--rates", metavar="FILE", help="conversion rates (currency,rate_to_EUR) to rank as one"
    )
    portfolio.add_argument("--chart", metavar="FILE.png", help="also draw the Pareto chart")
    portfolio.add_argument("--team", metavar="TEAM_ID", help="the Slack workspace")
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
    commands.add_parser(
        "doctor", help="check the configuration, database, token, scopes and linked channels"
    )
    export = commands.add_parser("export", help="export an account's plan, or a workspace")
    export_commands = export.add_subparsers(
        dest="export_command", metavar="EXPORT_COMMAND", required=True
    )
    export_plan = export_commands.add_parser(
        "plan", help="the whole account plan as Markdown or a standalone HTML page"
    )
    export_plan.add_argument("account", metavar="ACCOUNT", help="the account's name")
    export_plan.add_argument("--format", choices=["md", "html"], default="md")
    export_plan.add_argument(
        "--team", metavar="TEAM_ID", help="the workspace (if several have the account)"
    )
    export_plan.add_argument(
        "--output", metavar="FILE", help="write it to this file (default: standard output)"
    )
    export_all = export_commands.add_parser("all", help="every table of a workspace, as JSON lines")
    export_all.add_argument(
        "--team", metavar="TEAM_ID", help="the workspace (if there are several)"
    )
    export_all.add_argument(
        "--output", "-o", metavar="FILE", help="where to write (default: stdout)"
    )
    audit = commands.add_parser("audit", help="the audit trail: who changed what, and from where")
    audit_commands = audit.add_subparsers(
        dest="audit_command", metavar="AUDIT_COMMAND", required=True
    )
    audit_export = audit_commands.add_parser(
        "export", help="every change since a date, as JSON lines (one change per line)"
    )
    audit_export.add_argument("--since", metavar="YYYY-MM-DD", required=True)
    audit_export.add_argument("--team", metavar="TEAM_ID", help="only this workspace")
    audit_export.add_argument(
        "--output", "-o", metavar="FILE", help="where to write (default: stdout)"
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
    from sambot.ops.logs import configure_logging

    configure_logging(settings.sambot_log_format, secrets=settings.secrets)
    handler = {
        "db": _db,
        "run": _run,
        "manifest": _manifest,
        "jobs": _jobs,
        "scheduler": _scheduler,
        "shell": _shell,
        "demo": _demo,
        "workspace": _workspace,
        "doctor": _doctor,
        "export": _export,
        "import": _import,
        "portfolio": _portfolio,
        "audit": _audit,
    }[args.command]
    if args.command in ("run", "scheduler", "shell"):
        # Long-running: each request or job sets who acts itself.
        return handler(args, settings)
    from sambot.audit import context as audit

    # What this command writes is audited as the CLI's: `sambot import accounts`, say.
    words = [args.command] + [
        value
        for name, value in vars(args).items()
        if name.endswith("_command") and isinstance(value, str)
    ]
    with audit.acting(audit.Source.CLI, detail="sambot " + " ".join(words)):
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
    processes = 1 if settings.has_socket_mode else settings.sambot_web_processes
    work_processes = 0 if settings.has_socket_mode else settings.sambot_work_processes
    if processes > 1 or work_processes:
        _share_metrics_between_processes()
    from sambot import migrate
    from sambot.db import Database
    from sambot.ops.health import readiness_problem
    from sambot.slack import server
    from sambot.slack.app import build_app

    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    # With several web processes each builds its own app; this one runs the scheduler alone.
    app = None if processes > 1 else build_app(settings, database)
    scheduler = None
    if not args.no_scheduler:
        from sambot.jobs import start_background_scheduler
        from sambot.jobs.commands import workspace_clients
        from sambot.slack.client import KeptConnections

        # The scheduled posts share the listeners' kept-alive connections, when in this process.
        pool = app.client.pool if app else KeptConnections(settings.sambot_slack_connections)
        scheduler = start_background_scheduler(
            settings, database, workspace_clients(settings, database, pool)
        )
    try:
        if settings.has_socket_mode:
            if settings.sambot_metrics_port:  # no web server of its own to serve /metrics
                from prometheus_client import start_http_server

                start_http_server(settings.sambot_metrics_port)
            server.serve_socket_mode(app, settings.slack_app_token, port=settings.port)
        elif processes > 1:
            server.serve_http_processes(processes, port=settings.port)
        else:
            from sambot.web_process import workload_for

            server.serve_http(
                app,
                settings.slack_signing_secret,
                port=settings.port,
                readiness=lambda: readiness_problem(database),
                workload=workload_for(settings, app),
            )
    finally:
        if scheduler is not None:
            from sambot.jobs.scheduler import stop_gracefully

            stop_gracefully(scheduler)
    return 0


def _share_metrics_between_processes() -> None:
    """/metrics answers for every web process (and this one's scheduler), whichever of
    them is asked: prometheus_client's multiprocess mode, its files in a directory of
    this run's own, set before prometheus_client is first imported."""
    import atexit
    import os
    import shutil
    import tempfile

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its multiprocess directory")
    directory = tempfile.mkdtemp(prefix="sambot-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


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
        settings,
        job=args.job,
        at=args.at,
        account=args.account,
        team=args.team,
        dry_run=args.dry_run,
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


def _doctor(args, settings: Settings) -> int:
    from sambot.ops import commands

    return commands.doctor(settings)


def _export(args, settings: Settings) -> int:
    if args.export_command == "all":
        from sambot.ops import commands

        return commands.export_all(settings, team=args.team, output=args.output)
    from sambot import migrate
    from sambot.accountplan.export import export_plan
    from sambot.dates import today_in
    from sambot.db import Database

    migrate.upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            text = export_plan(
                session,
                account_name=args.account,
                today=today_in(settings.sambot_timezone),
                format=args.format,
                team=args.team,
            )
    except LookupError as exc:
        print(f"sambot: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    with output_to(args.output) as out:
        out.write(text)
    if args.output:
        print(f"sambot: wrote {args.output}", file=sys.stderr)
    return 0


def _import(args, settings: Settings) -> int:
    if args.import_command == "all":
        from sambot.ops import commands

        return commands.import_all(settings, args.file)
    from sambot.portfolio_cli import import_accounts

    return import_accounts(
        settings,
        path=args.file,
        dry_run=args.dry_run,
        all_or_nothing=args.all_or_nothing,
        period=args.period,
        owner=args.owner,
        team=args.team,
    )


def _portfolio(args, settings: Settings) -> int:
    from sambot.portfolio_cli import portfolio

    return portfolio(
        settings,
        by=args.by,
        csv_path=args.csv,
        rates_path=args.rates,
        chart_path=args.chart,
        team=args.team,
    )


def _audit(args, settings: Settings) -> int:
    from sambot.audit.commands import export

    return export(settings, since=args.since, team=args.team, output=args.output)
