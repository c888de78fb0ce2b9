"""The job settings read from the environment reach the jobs, by `sambot jobs run` and by the
scheduler: SAMBOT_ESCALATION_DAYS decides who is escalated, SAMBOT_POST_RATE spaces the posts.

Pacing is checked with a fake clock in place of the posting module's `time`: the sleeps the
pacer asks for are recorded, and nothing really waits.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from sambot.cli import main
from sambot.config import load_settings
from sambot.jobs import posting
from sambot.jobs.scheduler import SchedulerContext, scheduled_run, triggers
from tests.jobs.builders import TOKEN, make_account, make_action, make_workspace, message_text

RUN_AT = "2026-11-10T09:00"  # read in Europe/Paris


@pytest.fixture
def environment(monkeypatch, tmp_path, db, standin):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", standin.base_url)
    monkeypatch.setenv("SAMBOT_TIMEZONE", "Europe/Paris")
    monkeypatch.delenv("SAMBOT_ESCALATION_DAYS", raising=False)
    monkeypatch.delenv("SAMBOT_POST_RATE", raising=False)
    return make_workspace(db)


class FakeClock:
    """Stands in for the `time` module in sambot.jobs.posting: sleeping only moves it on."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(posting, "time", fake)
    # Pacers are kept per workspace and rate for the process: start from a fresh one.
    monkeypatch.setattr(posting, "_pacers", {})
    return fake


@pytest.mark.parametrize(("escalation_days", "escalated"), [("4", True), ("6", False)])
def test_escalation_follows_sambot_escalation_days(
    environment, db, standin, monkeypatch, escalation_days, escalated
):
    monkeypatch.setenv("SAMBOT_ESCALATION_DAYS", escalation_days)
    monkeypatch.setenv("SAMBOT_POST_RATE", "0")
    account = make_account(db, environment, "Acme", channel="CACME", standin=standin)
    standin.add_user("U1", "u1")
    # Five days late on 10 November.
    make_action(
        db,
        environment,
        account,
        "Send the proposal",
        due=date(2026, 11, 5),
        created=datetime(2026, 10, 1, tzinfo=UTC),
    )
    assert main(["jobs", "run", "nudges", "--at", RUN_AT]) == 0
    [nudge] = standin.messages("CACME")
    text = message_text(nudge)
    if escalated:
        assert "<@UOWNER>, 1 action more than 4 days late: over to you" in text
        assert ":rotating_light: Escalated: more than 4 days late." in text
    else:
        assert ":rotating_light:" not in text and "<@UOWNER>" not in text


def three_accounts(db, workspace_id, standin) -> None:
    for name in ("Acme", "Globex", "Initech"):
        make_account(db, workspace_id, name, channel=f"C{name.upper()}", standin=standin)


@pytest.mark.parametrize(("rate", "sleeps"), [("2", [0.5, 0.5]), ("0.5", [2.0, 2.0]), ("0", [])])
def test_jobs_run_spaces_posts_per_sambot_post_rate(
    environment, db, standin, clock, monkeypatch, rate, sleeps
):
    monkeypatch.setenv("SAMBOT_POST_RATE", rate)
    three_accounts(db, environment, standin)
    assert main(["jobs", "run", "monthly-report", "--at", "2026-11-02T09:00"]) == 0
    assert len(standin.calls("chat.postMessage")) == 3
    # The first post goes at once; each next one waits for its turn.
    assert clock.sleeps == sleeps


def test_the_scheduler_spaces_posts_per_sambot_post_rate(environment, db, standin, clock, client):
    three_accounts(db, environment, standin)
    settings = load_settings(sambot_timezone="Europe/Paris", sambot_post_rate=4, _env_file=None)
    context = SchedulerContext(settings, db, client, triggers(settings))
    with time_machine.travel(datetime(2026, 11, 2, 8, tzinfo=UTC), tick=False):
        [summary] = scheduled_run(context, "monthly-report")
    assert len(summary.posted) == 3
    assert clock.sleeps == [0.25, 0.25]


def test_the_scheduler_escalates_per_sambot_escalation_days(environment, db, standin, client):
    account = make_account(db, environment, "Acme", channel="CACME", standin=standin)
    standin.add_user("U1", "u1")
    make_action(
        db,
        environment,
        account,
        "Send the proposal",
        due=date(2026, 11, 5),
        created=datetime(2026, 10, 1, tzinfo=UTC),
    )
    settings = load_settings(
        sambot_timezone="Europe/Paris", sambot_post_rate=0, sambot_escalation_days=2, _env_file=None
    )
    context = SchedulerContext(settings, db, client, triggers(settings))
    with time_machine.travel(datetime(2026, 11, 10, 8, tzinfo=UTC), tick=False):
        scheduled_run(context, "nudges")
    [nudge] = standin.messages("CACME")
    assert ":rotating_light: Escalated: more than 2 days late." in message_text(nudge)
