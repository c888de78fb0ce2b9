"""Running a job: for each workspace, under its lock, with a summary of what was posted."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import select

from sambot.audit import context as audit
from sambot.db import Database, utcnow
from sambot.installs.clients import SingleClient, WorkspaceClients
from sambot.jobs import cadence_job, checkpoint_job, nudge_job, programme_job, report_job
from sambot.jobs.job import Job, JobOptions, WorkspaceRun
from sambot.jobs.locks import run_lock, shared_locks
from sambot.jobs.posting import (
    STOPPING,
    Pacer,
    Poster,
    PostQueue,
    Stopping,
    WorkspaceStopped,
    pacer_for,
)
from sambot.jobs.summary import RunSummary
from sambot.ops import logs
from sambot.ops.metrics import JOB_RUNS
from sambot.workspaces.models import Workspace

log = logging.getLogger("sambot.jobs")

__all__ = ["Job", "JobOptions", "WorkspaceRun", "jobs", "run_job"]


def jobs() -> dict[str, Job]:
    jobs = (report_job.JOB, nudge_job.JOB, cadence_job.JOB, checkpoint_job.JOB, programme_job.JOB)
    return {job.kind: job for job in jobs}


def run_job(
    kind: str,
    database: Database,
    client: WebClient | WorkspaceClients | None,
    *,
    at: datetime | None = None,
    options: JobOptions | None = None,
) -> list[RunSummary]:
    """Run a job in every installed workspace as if the clock read `at`; one summary per
    workspace. Workspaces run side by side (Slack paces each on its own), each with its
    own client: `client` is one for every workspace (SLACK_BOT_TOKEN), or WorkspaceClients
    (each workspace's installation's token)."""
    job = jobs()[kind]
    at = at or utcnow()
    options = options or JobOptions()
    clients = client if isinstance(client, WorkspaceClients) else SingleClient(client)
    query = select(Workspace.id, Workspace.team_id, Workspace.enterprise_id, Workspace.timezone)
    if options.team:
        query = query.where(Workspace.team_id == options.team)
    with database.session() as db:
        workspaces = db.execute(
            query.where(Workspace.uninstalled_at.is_(None)).order_by(Workspace.id)
        ).all()

    def run_one(workspace) -> RunSummary | None:
        if STOPPING.is_set():  # the process is stopping: no other workspace starts
            return None
        started = time.perf_counter()
        # Each workspace runs in a thread of its own: its log lines name it.
        logs.job.set(kind)
        logs.team.set(workspace.team_id)
        try:
            with audit.acting(audit.Source.JOB, detail=kind):
                summary = _run_in_workspace(job, database, clients, workspace, at, options, locks)
        except Exception as exc:  # one workspace's failure never stops the others
            log.exception("%s %s: the run failed", job.kind, workspace.team_id)
            summary = RunSummary(job.kind, workspace.team_id, "", options.dry_run)
            summary.stopped = f"the run failed: {type(exc).__name__}: {exc}"
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        JOB_RUNS.labels(kind, _outcome(summary)).inc()
        for line in summary.lines():
            log.info("%s", line, extra={"duration_ms": duration_ms})
        return summary

    with shared_locks(database) as locks:
        if len(workspaces) <= 1 or options.workspaces_at_once <= 1:
            summaries = [run_one(workspace) for workspace in workspaces]
        else:
            threads = min(options.workspaces_at_once, len(workspaces))
            with ThreadPoolExecutor(threads, thread_name_prefix=f"sambot-{kind}") as pool:
                summaries = list(pool.map(run_one, workspaces))
    return [summary for summary in summaries if summary is not None]


def _outcome(summary: RunSummary) -> str:
    if summary.locked_out:
        return "locked_out"
    if summary.stopped:
        return "stopped"
    return "ok" if summary.ok else "failed"


def _run_in_workspace(job, database, clients, workspace, at, options, locks=None) -> RunSummary:
    timezone = options.timezone or workspace.timezone
    today = at.astimezone(ZoneInfo(timezone)).date()
    summary = RunSummary(job.kind, workspace.team_id, job.period_key(today), options.dry_run)
    client = None
    if not options.dry_run:
        try:
            client = clients.for_workspace(workspace.team_id, workspace.enterprise_id)
        except Exception as exc:  # an unreadable token (wrong key): this workspace only
            log.error("%s %s: no client: %s", job.kind, workspace.team_id, exc)
            summary.stopped = f"its bot token cannot be read ({exc})"
            return summary
        if client is None:
            summary.stopped = "no installation for this workspace (install the app again)"
            return summary
    run = WorkspaceRun(
        database=database,
        client=client,
        workspace_id=workspace.id,
        team_id=workspace.team_id,
        timezone=timezone,
        at=at,
        options=options,
        summary=summary,
    )
    # A dry run posts nothing, so it must not hold the lock a real run needs.
    lock = (
        nullcontext(True) if options.dry_run else run_lock(database, job.kind, workspace.id, locks)
    )
    with lock as acquired:
        if not acquired:
            summary.stopped = "another run of this job holds the lock for this workspace"
            summary.locked_out = True
            return summary
        poster = Poster(
            database,
            client,
            workspace_id=workspace.id,
            job_kind=job.kind,
            period_key=summary.period_key,
            notice_period_key=f"{today:%Y-%m}",
            summary=summary,
            pacer=Pacer(0) if options.dry_run else pacer_for(workspace.id, options.post_rate),
            dry_run=options.dry_run,
            echo=options.echo,
            lease=options.claim_lease,
            scheduled_at=at,
        )
        try:
            with PostQueue(poster, threads=options.post_threads) as run.posts:
                job.run(run)
        except Stopping:
            summary.stopped = "the process is stopping: the rest is left to the next run"
            log.warning("%s %s: %s", job.kind, workspace.team_id, summary.stopped)
        except WorkspaceStopped as exc:
            summary.stopped = (
                f"Slack refused the bot token ({exc.error}): the app may have been "
                "uninstalled; nothing more is posted in this workspace"
            )
            log.error("%s %s: %s", job.kind, workspace.team_id, summary.stopped)
    return summary
