"""A scheduled run whose posts failed for a passing reason is tried again: 10 min, 30 min, 1 h.

The scheduler is not started: each retry it was given is read, removed (as the scheduler
does once a one-off job has run) and run at its time, so the test sees every attempt.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from sambot.config import load_settings
from sambot.jobs.scheduler import SchedulerContext, add_jobs, scheduled_run, triggers
from tests.jobs.builders import make_account, make_action, make_workspace

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 11, 30, 8, tzinfo=UTC)  # 09:00 in Paris, the nudges' time
CHANNEL_LABEL = "Acme (<#CACME>)"


@pytest.fixture
def scheduler(db, standin, client):
    """A scheduler holding the jobs, for an account with an overdue action to nudge."""
    workspace_id = make_workspace(db)
    account = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    standin.add_user("U1", "u1")
    make_action(
        db,
        workspace_id,
        account,
        "Late",
        due=date(2026, 11, 20),
        created=datetime(2026, 11, 1, tzinfo=UTC),
    )
    settings = load_settings(sambot_timezone="Europe/Paris", sambot_post_rate=0, _env_file=None)
    scheduler = BackgroundScheduler(timezone=PARIS)
    add_jobs(scheduler, SchedulerContext(settings, db, client, triggers(settings)), MONDAY)
    return scheduler


def channel_fails(standin, error: str) -> None:
    standin.fail("chat.postMessage", error, times=None, when=lambda a: a["channel"] == "CACME")


def take_retry(scheduler):
    """The retry the scheduler was given, removed as it is once run; None if there is none."""
    job = scheduler.get_job("nudges-retry")
    if job is not None:
        scheduler.remove_job("nudges-retry")
    return job


def test_failed_posts_are_retried_after_10_minutes_30_minutes_and_1_hour_then_no_more(
    scheduler, standin
):
    channel_fails(standin, "internal_error")
    context = scheduler.get_job("nudges").args[0]
    with time_machine.travel(MONDAY, tick=False):
        [first] = scheduled_run(context, "nudges")
    assert first.failed == [(CHANNEL_LABEL, "internal_error")]

    now = MONDAY
    for attempt, delay in enumerate(
        [timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1)], start=1
    ):
        retry = take_retry(scheduler)
        assert retry is not None, f"retry {attempt} was not scheduled"
        assert retry.trigger.run_date == now + delay
        assert retry.args[1:] == ("nudges", MONDAY.astimezone(PARIS), attempt)
        now = retry.trigger.run_date
        with time_machine.travel(now, tick=False):
            [summary] = scheduled_run(*retry.args)
        assert summary.failed == [(CHANNEL_LABEL, "internal_error")]

    # Three retries failed too: nothing more is scheduled.
    assert take_retry(scheduler) is None
    tried = [c for c in standin.calls("chat.postMessage") if c.args["channel"] == "CACME"]
    assert len(tried) == 4


def test_a_retry_that_posts_schedules_no_other(scheduler, standin):
    channel_fails(standin, "internal_error")
    context = scheduler.get_job("nudges").args[0]
    with time_machine.travel(MONDAY, tick=False):
        scheduled_run(context, "nudges")
    retry = take_retry(scheduler)
    standin.reset()
    with time_machine.travel(retry.trigger.run_date, tick=False):
        [summary] = scheduled_run(*retry.args)
    assert summary.posted == [CHANNEL_LABEL] and summary.failed == []
    assert take_retry(scheduler) is None


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "not_in_channel"])
def test_a_post_that_cannot_succeed_later_is_not_retried(scheduler, standin, error):
    channel_fails(standin, error)
    context = scheduler.get_job("nudges").args[0]
    with time_machine.travel(MONDAY, tick=False):
        [summary] = scheduled_run(context, "nudges")
    assert summary.failed[0] == (CHANNEL_LABEL, error)
    assert take_retry(scheduler) is None
