"""What `sambot jobs list|run` and `sambot scheduler` do."""

import sys
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from sambot.config import Settings
from sambot.db import Database, utcnow

Echo = Callable[[str], None]


def _error(message: str) -> int:
    print(f"sambot: {message}", file=sys.stderr)
    return 2


def parse_at(text: str, zone: ZoneInfo) -> datetime:
    """An ISO date-time; without an offset it is read in the workspace time zone."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z") if moment else "never"


def workspace_clients(settings: Settings, database: Database, pool=None):
    """What scheduled posts are made with: SLACK_BOT_TOKEN's client, or (OAuth install) each
    workspace's own token from its installation; over `pool` (the web server's, in the same
    process) or a pool of their own, of SAMBOT_SLACK_CONNECTIONS either way."""
    from sambot.installs.clients import WorkspaceClients
    from sambot.slack.client import KeptConnections, build_web_client

    pool = pool or KeptConnections(settings.sambot_slack_connections)

    if settings.oauth_install:
        from sambot.slack.install import installation_store

        return WorkspaceClients(
            installation_store(settings, database),
            settings.slack_api_url,
            timeout=settings.sambot_slack_timeout,
            pool=pool,
        )
    return build_web_client(
        settings.slack_bot_token,
        settings.slack_api_url,
        timeout=settings.sambot_slack_timeout,
        pool=pool,
    )


def jobs_list(settings: Settings, *, now: datetime | None = None, out: Echo = print) -> int:
    from sambot.crontab import next_fire_time
    from sambot.jobs.runner import jobs
    from sambot.jobs.scheduler import last_runs, schedules, triggers
    from sambot.reports.period import as_utc

    now = now or utcnow()
    zone = settings.timezone
    database = Database(settings.database_url)
    try:
        runs = last_runs(database)
    except SQLAlchemyError:
        runs = None  # not migrated yet: the schedule is still worth showing
    finally:
        database.dispose()
    job_triggers = triggers(settings)
    rows = [("JOB", f"SCHEDULE ({settings.sambot_timezone})", "NEXT RUN", "LAST SCHEDULED RUN")]
    for kind, schedule in schedules(settings).items():
        run = (runs or {}).get(kind)
        last = as_utc(run.last_fire_time) if run and run.last_fire_time else None
        rows.append(
            (
                kind,
                schedule,
                _when(next_fire_time(job_triggers[kind], now), zone),
                _when(last, zone) if runs is not None else "unknown (run `sambot db upgrade`)",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out("  ".join([*padded, row[3]]))
    out("")
    for kind, job in jobs().items():
        out(f"{kind}: {job.description}")
    return 0


def jobs_run(
    settings: Settings,
    *,
    job: str,
    at: str | None = None,
    account: str | None = None,
    team: str | None = None,
    dry_run: bool = False,
    out: Echo = print,
) -> int:
    from sambot.jobs.runner import JobOptions, run_job

    try:
        moment = parse_at(at, settings.timezone) if at else utcnow()
    except ValueError:
        return _error(f"--at {at!r}: expected an ISO date-time such as 2026-11-02T09:00")
    if not dry_run and not (settings.slack_bot_token or settings.oauth_install):
        return _error(
            "neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: "
            "nothing can be posted (try --dry-run)"
        )
    database = Database(settings.database_url)
    try:
        if team and not _workspace_exists(database, team):
            return 2
        if account and not _account_exists(database, account, team):
            return 2
        client = None if dry_run else workspace_clients(settings, database)
        options = JobOptions.from_settings(
            settings, dry_run=dry_run, account=account, team=team, echo=out
        )
        summaries = run_job(job, database, client, at=moment, options=options)
    finally:
        database.dispose()
    if not summaries:
        out("No workspace yet: the Slack app records its workspace on its first request.")
        return 0
    for summary in summaries:
        out(str(summary))
    return 0 if all(summary.ok for summary in summaries) else 1


def _workspace_exists(database: Database, team: str) -> bool:
    from sambot.workspaces.models import Workspace

    with database.session() as db:
        if db.scalar(select(Workspace.id).where(Workspace.team_id == team)) is not None:
            return True
    _error(f"no workspace {team!r} (`sambot workspace list` shows them).")
    return False


def _account_exists(database: Database, name: str, team: str | None = None) -> bool:
    """An account of that name (in workspace `team`, when given); else says which are close."""
    from sambot.accounts import service as accounts
    from sambot.accounts.models import Account
    from sambot.workspaces.models import Workspace

    with database.session() as db:
        in_scope = select(Workspace.id)
        if team:
            in_scope = in_scope.where(Workspace.team_id == team)
        found = db.scalar(
            select(func.count())
            .select_from(Account)
            .where(
                func.lower(Account.name) == name.strip().lower(),
                Account.workspace_id.in_(in_scope),
            )
        )
        if found:
            return True
        workspace_ids = db.scalars(
            select(Account.workspace_id).where(Account.workspace_id.in_(in_scope)).distinct()
        )
        close = [
            candidate
            for workspace_id in workspace_ids
            for candidate in accounts.closest_names(db, workspace_id=workspace_id, name=name)
        ]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    where = f" in workspace {team}" if team else ""
    _error(f"no account named {name!r}{where}.{hint}")
    return False


def scheduler(settings: Settings) -> int:
    from sambot.jobs.scheduler import run_blocking_scheduler

    if not (settings.slack_bot_token or settings.oauth_install):
        return _error(
            "neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: "
            "the scheduler has nothing to post with"
        )
    database = Database(settings.database_url)
    client = workspace_clients(settings, database)
    try:
        run_blocking_scheduler(settings, database, client)
    finally:
        database.dispose()
    return 0
