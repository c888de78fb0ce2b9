"""The jobs on their schedules (APScheduler 3), in the workspace time zone.

Missed runs are coalesced into one and run if at most GRACE late; this covers a
scheduler busy or suspended, and, with the last run kept in the database, a scheduler
that was down: when it starts again it catches up once on the latest run it missed.
"""

import logging
import signal
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from slack_sdk import WebClient
from sqlalchemy import select

from sambot.config import Settings
from sambot.crontab import latest_fire_time, missed_fire_time, parse_crontab
from sambot.db import Database, utcnow
from sambot.jobs.deliveries import dialect_insert
from sambot.jobs.models import JobRun
from sambot.jobs.posting import AUTH_ERRORS, CHANNEL_GONE, HELD, STOPPING, UNANSWERED
from sambot.jobs.runner import JobOptions, jobs, run_job
from sambot.jobs.summary import RunSummary
from sambot.reports.period import as_utc

log = logging.getLogger("sambot.jobs")

# Long enough to cover a restart or a weekend.
GRACE = timedelta(days=3)


def triggers(settings: Settings) -> dict[str, BaseTrigger]:
    return {
        kind: parse_crontab(job.schedule(settings), settings.timezone)
        for kind, job in jobs().items()
    }


def schedules(settings: Settings) -> dict[str, str]:
    return {kind: job.schedule(settings) for kind, job in jobs().items()}


@dataclass
class SchedulerContext:
    settings: Settings
    database: Database
    client: WebClient
    triggers: dict[str, BaseTrigger]
    scheduler: BaseScheduler | None = field(default=None, compare=False, repr=False)  # retries


# Posts that failed for a passing reason (rate limits, Slack's server errors, connection
# failures, no answer in time) are tried again by a later run of the same period, which
# posts only what is still missing (a post left unanswered is looked for in the channel
# first).
RETRY_DELAYS = (timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1))
PERMANENT_ERRORS = AUTH_ERRORS | CHANNEL_GONE | {"not_in_channel"}
# A run left to another scheduler (its lock) is looked at again this often until it is
# recorded: if that scheduler dies, this one takes over.
FOLLOW_UP = timedelta(seconds=30)


def retryable_failures(summaries: list[RunSummary]) -> int:
    return sum(1 for s in summaries for _, error in s.failed if error not in PERMANENT_ERRORS)


def scheduled_run(
    context: SchedulerContext,
    kind: str,
    fire_time: datetime | None = None,
    attempt: int = 0,
    follow_up: bool = False,
) -> list[RunSummary]:
    """One scheduled run of a job; its fire time is recorded when it has run everywhere."""
    started = utcnow()
    fire_time = fire_time or latest_fire_time(
        context.triggers[kind], started, since=started - GRACE
    )
    if follow_up and _recorded(context.database, kind, fire_time):
        return []  # the scheduler we left it to finished it
    options = JobOptions.from_settings(context.settings)
    summaries = run_job(kind, context.database, context.client, at=started, options=options)
    if STOPPING.is_set():
        return summaries  # cut short: the next start catches up on it
    # A workspace left to a concurrent run, a post another run still holds, or one whose
    # outcome is unknown, is not done yet: look again when that run had time to finish
    # or the claims went stale.
    locked_out = any(s.locked_out for s in summaries)
    held = any(why == HELD for s in summaries for _, why in s.skipped) or any(
        why == UNANSWERED for s in summaries for _, why in s.failed
    )
    if fire_time is not None and not (locked_out or held):
        record_run(
            context.database,
            kind,
            fire_time=fire_time,
            started_at=started,
            summary="\n".join(line for s in summaries for line in s.lines()),
        )
    elif (
        fire_time is not None
        and context.scheduler is not None
        and utcnow() - as_utc(fire_time) < GRACE  # not forever
    ):
        delay = options.claim_lease if held else min(options.claim_lease, FOLLOW_UP)
        context.scheduler.add_job(
            scheduled_run,
            "date",
            run_date=utcnow() + delay,
            kwargs={"follow_up": True},
            args=(context, kind, fire_time, attempt),
            id=f"{kind}-follow-up",
            name=f"{kind} (follow-up)",
            misfire_grace_time=int(GRACE.total_seconds()),
            replace_existing=True,
        )
    failures = retryable_failures(summaries)
    if failures and context.scheduler is not None and attempt < len(RETRY_DELAYS):
        retry_at = utcnow() + RETRY_DELAYS[attempt]
        log.info("%s: %d posts failed; trying them again at %s", kind, failures, retry_at)
        context.scheduler.add_job(
            scheduled_run,
            "date",
            run_date=retry_at,
            args=(context, kind, fire_time, attempt + 1),
            id=f"{kind}-retry",
            name=f"{kind} (retry {attempt + 1})",
            misfire_grace_time=int(GRACE.total_seconds()),
            replace_existing=True,
        )
    return summaries


def record_run(
    database: Database, kind: str, *, fire_time: datetime, started_at: datetime, summary: str
) -> None:
    values = {
        # In UTC: SQLite keeps a date-time's wall clock and drops its offset.
        "last_fire_time": as_utc(fire_time),
        "started_at": as_utc(started_at),
        "finished_at": utcnow(),
        "summary": summary,
    }
    with database.session() as db:
        db.execute(
            dialect_insert(db, JobRun)
            .values(job_kind=kind, **values)
            .on_conflict_do_update(index_elements=[JobRun.job_kind], set_=values)
        )


def _recorded(database: Database, kind: str, fire_time: datetime | None) -> bool:
    last = last_runs(database).get(kind)
    return bool(
        fire_time and last and last.last_fire_time and as_utc(last.last_fire_time) >= fire_time
    )


def last_runs(database: Database) -> dict[str, JobRun]:
    with database.session() as db:
        return {run.job_kind: run for run in db.scalars(select(JobRun))}


def missed_runs(
    database: Database, job_triggers: dict[str, BaseTrigger], now: datetime
) -> dict[str, datetime]:
    """The jobs whose latest scheduled run was missed while no scheduler ran, and its time."""
    runs = last_runs(database)
    missed = {}
    for kind, trigger in job_triggers.items():
        last = runs.get(kind)
        last_fire = as_utc(last.last_fire_time) if last and last.last_fire_time else None
        fire = missed_fire_time(trigger, now=now, last_fire=last_fire, grace=GRACE)
        if fire is not None:
            missed[kind] = fire
    return missed


def add_jobs(scheduler: BaseScheduler, context: SchedulerContext, now: datetime) -> None:
    context.scheduler = scheduler
    descriptions = {kind: job.description for kind, job in jobs().items()}
    for kind, trigger in context.triggers.items():
        scheduler.add_job(
            scheduled_run,
            trigger,
            args=(context, kind),
            id=kind,
            name=descriptions[kind],
            coalesce=True,
            misfire_grace_time=int(GRACE.total_seconds()),
            max_instances=1,
            replace_existing=True,
        )
    for kind, fire_time in missed_runs(context.database, context.triggers, now).items():
        log.info("%s: catching up on the run due at %s", kind, fire_time.isoformat())
        scheduler.add_job(
            scheduled_run,
            "date",
            run_date=now,
            args=(context, kind, fire_time),
            id=f"{kind}-catch-up",
            name=f"{descriptions[kind]} (catching up)",
            misfire_grace_time=int(GRACE.total_seconds()),
            replace_existing=True,
        )


def _context(settings: Settings, database: Database, client: WebClient) -> SchedulerContext:
    return SchedulerContext(settings, database, client, triggers(settings))


def start_background_scheduler(
    settings: Settings, database: Database, client: WebClient
) -> BackgroundScheduler:
    """The jobs in a background thread of this process (`sambot run`); already started."""
    scheduler = BackgroundScheduler(timezone=settings.timezone)
    add_jobs(scheduler, _context(settings, database, client), utcnow())
    scheduler.start()
    return scheduler


def run_blocking_scheduler(settings: Settings, database: Database, client: WebClient) -> None:
    """The jobs alone, in the foreground (`sambot scheduler`), until SIGTERM or Ctrl-C."""
    scheduler = BlockingScheduler(timezone=settings.timezone)
    add_jobs(scheduler, _context(settings, database, client), utcnow())

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if settings.sambot_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.sambot_metrics_port)
    for job in scheduler.get_jobs():
        log.info("scheduled: %s (%s)", job.name, job.trigger)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        stop_gracefully(scheduler)


def stop_gracefully(scheduler: BaseScheduler) -> None:
    """Finish the posts under way, start no other, and stop. A run cut short is not
    recorded: the next scheduler to start catches up on it, posting only what is missing."""
    log.info("stopping: finishing the posts under way")
    STOPPING.set()
    scheduler.shutdown(wait=True)
    log.info("stopped")
