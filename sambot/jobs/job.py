"""What a job is, and what it gets to run in one workspace; the jobs import this, not the
runner, so the runner can import the jobs."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from sambot.config import Settings
from sambot.db import Database
from sambot.jobs.deliveries import DEFAULT_LEASE
from sambot.jobs.posting import PostQueue
from sambot.jobs.summary import RunSummary
from sambot.relationships.cadence import DEFAULT_CADENCES, Cadences

DEFAULT_BATCH_SIZE = 500
T = TypeVar("T")


@dataclass(frozen=True)
class JobOptions:
    escalation_days: int = 14
    stale_days: int = 90  # a plan section not updated for longer is named in the report
    post_rate: float = 0.0  # messages per second per workspace; 0: no pacing
    # Threads posting at once. One (posts in order) keeps up with Slack's pace; more only
    # help when pacing is off, against a local stand-in.
    post_threads: int = 1
    # Workspaces run side by side, each paced on its own (SAMBOT_WORKSPACES_AT_ONCE).
    workspaces_at_once: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    dry_run: bool = False
    account: str | None = None  # only this account (by name)
    team: str | None = None  # only this workspace (its Slack team id)
    # SAMBOT_TIMEZONE: the zone the schedules fire in decides the day and the month too.
    # None: each workspace's own.
    timezone: str | None = None
    echo: Callable[[str], None] | None = None  # where --dry-run prints
    cadences: Cadences = DEFAULT_CADENCES  # SAMBOT_CADENCE_*: the touch-cadence reminder
    # How long a claim holds before another run may take it over (its run was killed).
    claim_lease: timedelta = DEFAULT_LEASE

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "JobOptions":
        options = cls(
            escalation_days=settings.sambot_escalation_days,
            stale_days=settings.sambot_stale_days,
            post_rate=settings.sambot_post_rate,
            timezone=settings.sambot_timezone,
            workspaces_at_once=settings.sambot_workspaces_at_once,
            cadences=Cadences.from_settings(settings),
            claim_lease=timedelta(seconds=settings.sambot_claim_lease),
        )
        return replace(options, **overrides)


@dataclass
class WorkspaceRun:
    """What a job needs to run in one workspace."""

    database: Database
    client: WebClient | None
    workspace_id: int
    team_id: str
    timezone: str
    at: datetime
    options: JobOptions
    summary: RunSummary
    # Where the job submits its posts; background threads make them (one: in order).
    posts: PostQueue = field(init=False)

    @property
    def today(self) -> date:
        return self.at.astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class Job:
    kind: str
    description: str
    # The setting that holds its crontab line (SAMBOT_REPORT_SCHEDULE...).
    schedule_setting: str
    period_key: Callable[[date], str]  # the period a run on that local day covers
    run: Callable[[WorkspaceRun], None]

    def schedule(self, settings: Settings) -> str:
        return getattr(settings, self.schedule_setting)


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
