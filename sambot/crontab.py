"""Crontab schedules for the jobs, and the fire times the catch-up logic needs.

Schedules are standard five-field crontab strings (minute hour day month day-of-week) read
in the workspace time zone, with one addition: `1W` in the day field means the first
weekday (Monday to Friday) of the month, the default for the monthly report.
"""

import re
from datetime import date, datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

DEFAULT_REPORT_SCHEDULE = "0 9 1W * *"
DEFAULT_NUDGE_SCHEDULE = "0 9 * * mon-fri"

_CRON_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_ONE_MICROSECOND = timedelta(microseconds=1)


def is_first_weekday(day: date) -> bool:
    return day.weekday() < 5 and all(
        day.replace(day=earlier).weekday() >= 5 for earlier in range(1, day.day)
    )


class FirstWeekdayTrigger(BaseTrigger):
    """A cron trigger restricted to the first weekday of each month (crontab `1W`)."""

    def __init__(self, cron: CronTrigger):
        self.cron = cron
        self.timezone = cron.timezone

    def get_next_fire_time(self, previous_fire_time, now):
        fire = self.cron.get_next_fire_time(previous_fire_time, now)
        while fire is not None and not is_first_weekday(fire.date()):
            fire = self.cron.get_next_fire_time(fire, fire + _ONE_MICROSECOND)
        return fire

    def __str__(self) -> str:
        return f"first weekday, {self.cron}"


def _day_of_week(field: str) -> str:
    # APScheduler 3 numbers weekdays from Monday = 0; crontab from Sunday = 0. Names are the
    # same in both, so numbers are turned into names (the step after "/" stays a number).
    def names(part: str) -> str:
        value, _, step = part.partition("/")
        value = re.sub(r"\d+", lambda match: _CRON_DAY_NAMES[int(match.group()) % 7], value)
        return f"{value}/{step}" if step else value

    return ",".join(names(part) for part in field.split(","))


def parse_crontab(expression: str, timezone: tzinfo | str) -> BaseTrigger:
    """A trigger for a crontab string; ValueError with a readable reason when it is wrong."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"expected five fields (minute hour day month day-of-week), got {len(fields)}"
        )
    minute, hour, day, month, day_of_week = fields
    first_weekday = day.upper() == "1W"
    if first_weekday:
        if day_of_week != "*":
            raise ValueError("1W (first weekday of the month) cannot be combined with a weekday")
        day, day_of_week = "1-3", "mon-fri"
    cron = CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_day_of_week(day_of_week),
        timezone=timezone,
    )
    return FirstWeekdayTrigger(cron) if first_weekday else cron


def next_fire_time(trigger: BaseTrigger, now: datetime) -> datetime | None:
    return trigger.get_next_fire_time(None, now)


def latest_fire_time(trigger: BaseTrigger, now: datetime, since: datetime) -> datetime | None:
    """The last time the trigger fired in (since, now], or None."""
    latest = None
    fire = trigger.get_next_fire_time(None, since + _ONE_MICROSECOND)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + _ONE_MICROSECOND)
    return latest


def missed_fire_time(
    trigger: BaseTrigger, *, now: datetime, last_fire: datetime | None, grace: timedelta
) -> datetime | None:
    """The scheduled time a scheduler that was down must catch up on, if any.

    Only the latest missed time counts (missed runs are coalesced into one), only within
    the grace period, and only if a run was recorded before: a scheduler that never ran
    was not down, it is new.
    """
    if last_fire is None:
        return None
    missed = latest_fire_time(trigger, now, since=max(last_fire, now - grace))
    return missed
