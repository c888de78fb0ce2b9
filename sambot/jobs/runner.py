"""Running a job: for each workspace, under its lock, with a summary of what was posted."""

import logging
import time
from contextlib import nullcontext
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import select

from sambot.db import Database, utcnow
from sambot.jobs import cadence_job, nudge_job, report_job
from sambot.jobs.job import Job, JobOptions, WorkspaceRun
from sambot.jobs.locks import run_lock
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
    return {job.kind: job for job in (report_job.JOB, nudge_job.JOB, cadence_job.JOB)}


def run_job(
    kind: str,
    database: Database,
    client: WebClient | None,
    *,
    at: datetime | None = None,
    options: JobOptions | None = None,
) -> list[RunSummary]:
    """Run a job in every workspace as if the clock read `at`; one summary per workspace."""
    job = jobs()[kind]
    at = at or utcnow()
    options = options or JobOptions()
    with database.session() as db:
        workspaces = db.execute(
            select(Workspace.id, Workspace.team_id, Workspace.timezone).order_by(Workspace.id)
        ).all()
    summaries = []
    for workspace in workspaces:
        if STOPPING.is_set():
            break
        started = time.perf_counter()
        logs.job.set(kind)
        logs.team.set(workspace.team_id)
        summary = _run_in_workspace(job, database, client, workspace, at, options)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        JOB_RUNS.labels(kind, _outcome(summary)).inc()
        for line in summary.lines():
            log.info("%s", line, extra={"duration_ms": duration_ms})
        summaries.append(summary)
    return summaries


def _outcome(summary: RunSummary) -> str:
    if summary.locked_out:
        return "locked_out"
    if summary.stopped:
        return "stopped"
    return "ok" if summary.ok else "failed"


def _run_in_workspace(job, database, client, workspace, at, options) -> RunSummary:
    timezone = options.timezone or workspace.timezone
    today = at.astimezone(ZoneInfo(timezone)).date()
    summary = RunSummary(job.kind, workspace.team_id, job.period_key(today), options.dry_run)
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
    lock = nullcontext(True) if options.dry_run else run_lock(database, job.kind, workspace.id)
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
