"""Schedules, catching up once after downtime, and the background scheduler."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from sambot.config import load_settings
from sambot.crontab import is_first_weekday, missed_fire_time, parse_crontab
from sambot.jobs.scheduler import (
    GRACE,
    SchedulerContext,
    add_jobs,
    last_runs,
    record_run,
    scheduled_run,
    start_background_scheduler,
    triggers,
)
from sambot.reports.period import as_utc
from tests.jobs.builders import make_account, make_action, make_workspace

PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parents[2]


def fire_times(trigger, start: datetime, count: int) -> list[datetime]:
    times, fire = [], None
    for _ in range(count):
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1) if fire else start)
        times.append(fire)
    return times


def test_the_report_runs_at_nine_on_the_first_weekday_of_each_month():
    trigger = parse_crontab("0 9 1W * *", PARIS)
    days = [t.date() for t in fire_times(trigger, datetime(2026, 1, 1, tzinfo=PARIS), 12)]
    # 1 February, 1 March and 1 August 2026 fall on a weekend.
    assert days == [
        date(2026, 1, 1),
        date(2026, 2, 2),
        date(2026, 3, 2),
        date(2026, 4, 1),
        date(2026, 5, 1),
        date(2026, 6, 1),
        date(2026, 7, 1),
        date(2026, 8, 3),
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 2),
        date(2026, 12, 1),
    ]
    first = fire_times(trigger, datetime(2026, 3, 2, tzinfo=PARIS), 2)
    assert [t.hour for t in first] == [9, 9]  # 09:00 local on both sides of the DST change
    assert first[0].utcoffset() == timedelta(hours=1)
    assert first[1].utcoffset() == timedelta(hours=2)
    assert not is_first_weekday(date(2026, 10, 2))


def test_weekday_numbers_read_as_in_crontab():
    # APScheduler 3 alone would read 1-5 as Tuesday to Saturday.
    trigger = parse_crontab("0 9 * * 1-5", PARIS)
    weekdays = {
        t.strftime("%a") for t in fire_times(trigger, datetime(2026, 11, 1, tzinfo=PARIS), 10)
    }
    assert weekdays == {"Mon", "Tue", "Wed", "Thu", "Fri"}


def test_a_missed_run_is_caught_up_once_within_the_grace_period():
    nudges = parse_crontab("0 9 * * mon-fri", PARIS)
    friday = datetime(2026, 11, 27, 9, tzinfo=PARIS)
    monday = datetime(2026, 11, 30, 9, tzinfo=PARIS)
    # Down from Friday after the run to Tuesday 08:00: Monday's run is owed, once.
    tuesday_early = datetime(2026, 12, 1, 8, tzinfo=PARIS)
    assert missed_fire_time(nudges, now=tuesday_early, last_fire=friday, grace=GRACE) == monday
    # Back on Monday before 09:00: nothing was missed over the weekend.
    monday_early = datetime(2026, 11, 30, 8, tzinfo=PARIS)
    assert missed_fire_time(nudges, now=monday_early, last_fire=friday, grace=GRACE) is None
    # Monday's run already done: nothing owed.
    assert missed_fire_time(nudges, now=tuesday_early, last_fire=monday, grace=GRACE) is None
    # Down for longer than the grace period: the runs older than it are dropped, and only
    # the latest one within it (Wednesday's, a day late) is caught up.
    later = datetime(2026, 12, 10, 8, tzinfo=PARIS)
    wednesday = datetime(2026, 12, 9, 9, tzinfo=PARIS)
    assert missed_fire_time(nudges, now=later, last_fire=friday, grace=GRACE) == wednesday
    # Down since before the grace period with no run due within it: nothing to catch up.
    sunday = datetime(2026, 12, 6, 8, tzinfo=PARIS)
    assert missed_fire_time(nudges, now=sunday, last_fire=friday, grace=timedelta(days=1)) is None
    # A scheduler that never ran is new, not late.
    assert missed_fire_time(nudges, now=tuesday_early, last_fire=None, grace=GRACE) is None


@pytest.fixture
def settings():
    return load_settings(sambot_timezone="Europe/Paris", sambot_post_rate=0, _env_file=None)


def test_a_scheduler_that_was_down_catches_up_once_never_twice(db, standin, client, settings):
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
    context = SchedulerContext(settings, db, client, triggers(settings))
    record_run(
        db,
        "nudges",
        fire_time=datetime(2026, 11, 27, 9, tzinfo=PARIS),
        started_at=datetime(2026, 11, 27, 8, tzinfo=UTC),
        summary="",
    )
    back = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # Tuesday 08:30 in Paris
    scheduler = BackgroundScheduler(timezone=PARIS)
    add_jobs(scheduler, context, back)
    catch_up = scheduler.get_job("nudges-catch-up")
    assert catch_up is not None and scheduler.get_job("monthly-report-catch-up") is None
    monday = datetime(2026, 11, 30, 9, tzinfo=PARIS)
    assert catch_up.args == (context, "nudges", monday)

    with time_machine.travel(back, tick=False):
        [summary] = scheduled_run(*catch_up.args)
    assert summary.posted == ["Acme (<#CACME>)", "<@U1> (direct message)"]
    assert len(standin.messages("CACME")) == 1
    last = last_runs(db)["nudges"]
    assert as_utc(last.last_fire_time) == monday.astimezone(UTC)
    assert "2 posted" in last.summary

    # Restarted again the same morning: nothing left to catch up.
    again = BackgroundScheduler(timezone=PARIS)
    add_jobs(again, context, back + timedelta(minutes=5))
    assert again.get_job("nudges-catch-up") is None
    assert again.get_job("nudges").trigger is context.triggers["nudges"]
    assert again.get_job("nudges").misfire_grace_time == GRACE.total_seconds()
    assert again.get_job("nudges").coalesce is True


def test_the_background_scheduler_runs_every_job(db, client, settings):
    scheduler = start_background_scheduler(settings, db, client)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"monthly-report", "nudges", "cadence", "checkpoints", "programme"}
        now = datetime.now(UTC)
        for kind, trigger in triggers(settings).items():
            assert jobs[kind].next_run_time == trigger.get_next_fire_time(None, now)
            assert jobs[kind].next_run_time.hour == 9
    finally:
        scheduler.shutdown(wait=False)


def test_the_scheduler_process_catches_up_then_stops_on_sigterm(db, standin):
    """`sambot scheduler` on its own: a run missed while it was down is made at start."""
    workspace_id = make_workspace(db)
    account = make_account(db, workspace_id, "Acme", channel="CACME", standin=standin)
    standin.add_user("U1", "u1")
    make_action(
        db,
        workspace_id,
        account,
        "Late",
        due=date(2020, 1, 1),
        created=datetime(2020, 1, 1, tzinfo=UTC),
    )
    # Every minute: the run of the current minute is owed, a run ten minutes ago was made.
    now = datetime.now(UTC)
    record_run(db, "nudges", fire_time=now - timedelta(minutes=10), started_at=now, summary="")
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": standin.base_url,
        "SAMBOT_NUDGE_SCHEDULE": "* * * * *",
        "SAMBOT_POST_RATE": "0",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "sambot", "scheduler"],
        env=env,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == "CACME", 20)
        # The run is recorded once it has posted everything (SIGTERM would cut it short).
        deadline = time.monotonic() + 20
        while as_utc(last_runs(db)["nudges"].last_fire_time) < now - timedelta(minutes=1):
            assert time.monotonic() < deadline, "the run was never recorded"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=20)
    assert process.returncode == 0, log
    assert "nudges: catching up on the run due at" in log
    assert len(standin.messages("CACME")) == 1
    assert as_utc(last_runs(db)["nudges"].last_fire_time) > now - timedelta(minutes=1)


def test_posts_that_failed_for_a_passing_reason_are_tried_again(db, standin, client, settings):
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
    context = SchedulerContext(settings, db, client, triggers(settings))
    scheduler = BackgroundScheduler(timezone=PARIS)
    add_jobs(scheduler, context, datetime(2026, 11, 30, 7, tzinfo=UTC))
    # Slack keeps failing the channel post: the retries (and the client's own) run out.
    standin.fail(
        "chat.postMessage", "internal_error", times=None, when=lambda a: a["channel"] == "CACME"
    )
    monday = datetime(2026, 11, 30, 8, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        [summary] = scheduled_run(context, "nudges")
    assert summary.failed == [("Acme (<#CACME>)", "internal_error")]
    retry = scheduler.get_job("nudges-retry")
    assert retry is not None and retry.args[-1] == 1

    standin.reset()
    with time_machine.travel(monday + timedelta(minutes=10), tick=False):
        [again] = scheduled_run(*retry.args)
    assert again.posted == ["Acme (<#CACME>)"]  # the DM, already posted, is not sent twice
    assert len(standin.messages("CACME")) == 1
    assert again.ok


def test_a_502_from_a_proxy_is_retried(standin, client):
    standin.add_channel("CPROXY", "proxy")
    standin.server_error("chat.postMessage", status=502)
    assert client.chat_postMessage(channel="CPROXY", text="hello")["ok"]
    assert [call.status for call in standin.calls("chat.postMessage")] == [502, 200]
