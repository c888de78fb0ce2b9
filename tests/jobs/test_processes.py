"""Each scheduled post is made once across real processes: several `sambot scheduler`s at
once, and a scheduler killed (SIGKILL) half-way then started again.

The schedulers fire by catching up: the job's last run is recorded as yesterday's, so a
scheduler that starts owes today's run and makes it at once (its schedule fires again
only tomorrow). Runs use the real clock: the report covers the month before today.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from sambot.deliveries.models import Delivery, DeliveryStatus
from sambot.jobs.posting import METADATA_EVENT
from sambot.jobs.scheduler import last_runs, record_run
from sambot.reports.period import as_utc
from sambot.stakeholders.models import Stakeholder
from tests.jobs.builders import TEAM_ID, TOKEN, make_account, make_action, make_workspace, posts

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE_SETTINGS = {
    "monthly-report": "SAMBOT_REPORT_SCHEDULE",
    "nudges": "SAMBOT_NUDGE_SCHEDULE",
    "cadence": "SAMBOT_CADENCE_SCHEDULE",
}
JOBS = ["monthly-report", "nudges", "cadence"]


def portfolio(db, standin, kind: str, count: int) -> list[str]:
    """`count` accounts, each with a channel (C1, C2, ...), an owner (U1, U2, ...), an
    action three days late and a key stakeholder never met; where the job posts: each
    channel, for nudges each owner too, and for the cadence reminder each owner only."""
    workspace_id = make_workspace(db)
    today = datetime.now(UTC).date()
    for n in range(1, count + 1):
        account_id = make_account(
            db, workspace_id, f"Account {n}", channel=f"C{n}", owner=f"U{n}", standin=standin
        )
        make_action(
            db,
            workspace_id,
            account_id,
            f"Action of account {n}",
            owner=f"U{n}",
            due=today - timedelta(days=3),
            created=datetime.now(UTC) - timedelta(days=40),
        )
        with db.session() as s:
            s.add(
                Stakeholder(
                    workspace_id=workspace_id, account_id=account_id, name=f"Key {n}", power=5
                )
            )
    channels = [f"C{n}" for n in range(1, count + 1)]
    owners = [f"U{n}" for n in range(1, count + 1)]
    return {"nudges": channels + owners, "cadence": owners}.get(kind, channels)


def owe_a_run(db, kind: str) -> dict[str, str]:
    """Record yesterday's run of `kind` as made, with a daily schedule due two minutes ago:
    a scheduler starting now owes today's run. The settings the schedulers need."""
    due = (datetime.now(UTC) - timedelta(minutes=2)).replace(second=0, microsecond=0)
    yesterday = due - timedelta(days=1)
    record_run(db, kind, fire_time=yesterday, started_at=yesterday, summary="")
    return {SCHEDULE_SETTINGS[kind]: f"{due.minute} {due.hour} * * *", "SAMBOT_TIMEZONE": "UTC"}


def environment(db, standin, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": standin.base_url,
        "SAMBOT_POST_RATE": "0",
        "PYTHONPATH": str(ROOT),
        **settings,
    }


def wait_until(condition: Callable[[], object], what: Callable[[], str], timeout: float = 20.0):
    """The condition's first true value; `what` describes it if it never comes."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what()}")
        time.sleep(0.01)
    return result


class Scheduler:
    """A `sambot scheduler` process, its log read as it comes."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sambot", "scheduler"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def started(self) -> bool:
        return "Scheduler started" in self.log or self.process.poll() is not None

    def catches_up(self, kind: str) -> bool:
        wait_until(self.started, lambda: f"the scheduler to start:\n{self.log}")
        return f"{kind}: catching up" in self.log

    def summary(self, kind: str) -> re.Match | None:
        """The summary line run_job logs at the end of the run in the workspace."""
        return re.search(rf"{kind} {TEAM_ID} \S+: (\d+) posted.*", self.log)

    def wait_for_run(self, kind: str) -> re.Match:
        return wait_until(lambda: self.summary(kind), lambda: f"the {kind} run:\n{self.log}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=20)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=20)


@pytest.fixture
def schedulers():
    """Start schedulers with `start(env)`; any still running at the end is stopped."""
    started: list[Scheduler] = []

    def start(env: dict[str, str]) -> Scheduler:
        started.append(Scheduler(env))
        return started[-1]

    yield start
    for scheduler in started:
        if scheduler.process.poll() is None:
            scheduler.kill()


def deliveries(db) -> list[Delivery]:
    with db.session() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def target_of(delivery: Delivery) -> str:
    """Where a delivery goes, as `portfolio` names it (Slack answers a DM with its own id)."""
    return delivery.recipient_id or delivery.channel_id


def messages_per_target(standin, targets: list[str]) -> dict[str, int]:
    return {target: len(standin.messages(target)) for target in targets}


def assert_each_posted_once(db, standin, targets: list[str]) -> None:
    assert messages_per_target(standin, targets) == dict.fromkeys(targets, 1)
    assert len(posts(standin)) == len(targets)
    records = deliveries(db)
    assert sorted(target_of(d) for d in records) == sorted(targets)
    assert {d.status for d in records} == {DeliveryStatus.POSTED}


@pytest.fixture
def held_posts(standin) -> Iterator[threading.Event]:
    """Slack answers no post until the event is set: the first post waits in the stand-in
    (the fault's condition waits for the event, then never applies), the others behind it."""
    answer = threading.Event()
    standin.fail("chat.postMessage", "held", times=None, when=lambda _: not answer.wait(30))
    yield answer
    answer.set()  # even if the test failed first: the stand-in serves the next tests


@pytest.mark.parametrize("kind", JOBS)
def test_several_scheduler_processes_post_each_message_once(
    db, standin, schedulers, held_posts, kind
):
    targets = portfolio(db, standin, kind, count=6)
    standin.latency = 0.02
    env = environment(db, standin, **owe_a_run(db, kind))
    running = [schedulers(env) for _ in range(2)]
    # No run can end while Slack holds the posts: every scheduler owes the run and makes it.
    assert [scheduler.catches_up(kind) for scheduler in running] == [True, True]
    held_posts.set()
    for scheduler in running:
        scheduler.wait_for_run(kind)
    logs = [scheduler.log for scheduler in running]
    assert [scheduler.stop() for scheduler in running] == [0, 0], logs
    # Whoever posted what (the run lock and the claims decide): each message once.
    assert_each_posted_once(db, standin, targets)
    posted = sum(int(scheduler.summary(kind).group(1)) for scheduler in running)
    assert posted == len(targets), logs


def test_jobs_run_by_hand_during_a_scheduled_run_posts_nothing_twice(
    db, standin, schedulers, held_posts
):
    """`sambot jobs run` while a scheduler makes the same run: it leaves the run to the
    scheduler (PostgreSQL's run lock) or shares the posts with it (the claims), and
    exits 0 either way."""
    targets = portfolio(db, standin, "monthly-report", count=4)
    env = environment(db, standin, **owe_a_run(db, "monthly-report"))
    scheduler = schedulers(env)
    assert scheduler.catches_up("monthly-report"), scheduler.log
    wait_until(lambda: claimed(db), lambda: f"the scheduler's first claim:\n{scheduler.log}")
    command = [sys.executable, "-m", "sambot", "jobs", "run", "monthly-report"]
    by_hand = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    # Locked out, it is done; sharing the run, its own first claim waits for Slack too.
    wait_until(lambda: by_hand.poll() is not None or len(claimed(db)) == 2, lambda: "jobs run")
    held_posts.set()
    output = by_hand.communicate(timeout=60)[0]
    scheduled = int(scheduler.wait_for_run("monthly-report").group(1))
    assert scheduler.stop() == 0, scheduler.log
    assert by_hand.returncode == 0, output
    assert_each_posted_once(db, standin, targets)
    assert scheduled + int(re.search(r"(\d+) posted", output).group(1)) == len(targets)


def advisory_locks(db) -> int:
    with db.engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )


def claimed(db) -> list[Delivery]:
    return [d for d in deliveries(db) if d.status == DeliveryStatus.CLAIMED]


@pytest.mark.parametrize("kind", JOBS)
def test_a_scheduler_killed_half_way_posts_each_message_once_when_restarted(
    db, standin, schedulers, kind
):
    """Killed between a claim and Slack's answer: Slack made that post, the claim was never
    confirmed. Once the claim's lease is over, the restarted scheduler finds the post in
    the channel's history (its metadata names the delivery) and does not make it again."""
    targets = portfolio(db, standin, kind, count=4)
    # Slow answers: the kill lands while a post is on its way to Slack.
    standin.latency = 0.3
    env = environment(db, standin, SAMBOT_CLAIM_LEASE="1", **owe_a_run(db, kind))
    due = as_utc(last_runs(db)[kind].last_fire_time) + timedelta(days=1)

    first = schedulers(env)
    # Some posts made, the next one claimed: its request is on its way to Slack.
    wait_until(lambda: posts(standin) and claimed(db), lambda: f"a claim:\n{first.log}")
    time.sleep(standin.latency / 2)
    assert first.kill() == -signal.SIGKILL
    made = [target_of(d) for d in deliveries(db) if d.status == DeliveryStatus.POSTED]
    in_flight = [target_of(d) for d in claimed(db)]
    assert made and len(made) < len(targets) - 1, first.log  # killed half-way
    assert len(in_flight) == 1, first.log  # one posting thread: one post under way
    # The stand-in answers after the kill: the post in flight is made, unrecorded.
    wait_until(lambda: standin.messages(in_flight[0]), lambda: "the post in flight")

    second = schedulers(env)
    assert second.catches_up(kind), second.log  # the killed run was never recorded
    wait_until(
        lambda: kind in last_runs(db) and as_utc(last_runs(db)[kind].last_fire_time) == due,
        lambda: f"the run to be recorded:\n{second.log}",
    )
    assert second.stop() == 0, second.log
    assert_each_posted_once(db, standin, targets)
    assert "found in history" in second.log
    # Looked up with the delivery id in metadata, never posted twice.
    lookups = standin.calls("conversations.history")
    assert lookups and all(call.args.get("include_all_metadata") for call in lookups)


def test_a_report_and_nudges_at_once_tell_an_owner_about_a_gone_channel_once(
    db, standin, schedulers, held_posts
):
    """Both jobs fire at once (the first weekday at 09:00), each under its own run lock:
    only the claim keeps the owner's notice about the archived channel single."""
    portfolio(db, standin, "nudges", count=1)
    standin.add_channel("C1", "account 1", is_archived=True)
    owed = {**owe_a_run(db, "monthly-report"), **owe_a_run(db, "nudges")}
    env = environment(db, standin, **owed)
    scheduler = schedulers(env)
    # Both jobs read the channel as postable and claimed their post to it.
    wait_until(lambda: len(claimed(db)) == 2, lambda: f"both jobs' claims:\n{scheduler.log}")
    held_posts.set()
    for kind in ("monthly-report", "nudges"):
        scheduler.wait_for_run(kind)
    assert scheduler.stop() == 0, scheduler.log
    assert scheduler.log.count("failed: Account 1 (<#C1>): is_archived") == 2
    notices = [m for m in standin.messages("U1") if "could not post" in m["text"]]
    assert len(notices) == 1, notices


# Exactly once, without loss: a post Slack accepted but answered too late, with one
# scheduler and with two, and two schedulers of which one is killed after its claim. Each
# post carries its delivery id in its metadata; whoever takes a post over whose outcome
# is unknown looks in the channel's history first.

KIND = "nudges"  # channels and direct messages


def recorded(db, due) -> bool:
    run = last_runs(db).get(KIND)
    return bool(run and as_utc(run.last_fire_time) == due)


def due_of(db):
    return as_utc(last_runs(db)[KIND].last_fire_time) + timedelta(days=1)


@pytest.mark.parametrize("count", [1, 2], ids=["one-scheduler", "two-schedulers"])
def test_a_post_accepted_but_answered_too_late_is_made_once(db, standin, schedulers, count):
    """Slack makes the post but answers after the client gave up: the post's outcome is
    unknown. The run that takes it over finds it in the history and records it."""
    targets = portfolio(db, standin, KIND, count=3)
    standin.answer_late("chat.postMessage", 1.5, when=lambda args: args.get("channel") == "C2")
    env = environment(
        db, standin, SAMBOT_CLAIM_LEASE="1", SAMBOT_SLACK_TIMEOUT="0.5", **owe_a_run(db, KIND)
    )
    due = due_of(db)
    running = [schedulers(env) for _ in range(count)]
    logs = lambda: "\n---\n".join(s.log for s in running)  # noqa: E731
    wait_until(lambda: recorded(db, due), lambda: f"the run to be recorded:\n{logs()}", 40)
    assert [s.stop() for s in running] == [0] * count, logs()
    assert_each_posted_once(db, standin, targets)
    assert "no answer from Slack in time" in logs()
    assert "found in history" in logs()
    # Every post carried its delivery id.
    for call in posts(standin):
        assert call.args["metadata"]["event_type"] == METADATA_EVENT
    ids = sorted(call.args["metadata"]["event_payload"]["delivery_id"] for call in posts(standin))
    assert ids == sorted(d.id for d in deliveries(db))


def test_two_schedulers_one_killed_after_its_claim_the_other_takes_over(db, standin, schedulers):
    """The standby (locked out, or sharing the run on SQLite) looks again until the run
    is recorded; the dead one's claim goes stale and is taken over once."""
    targets = portfolio(db, standin, KIND, count=4)
    standin.latency = 0.3
    env = environment(db, standin, SAMBOT_CLAIM_LEASE="1", **owe_a_run(db, KIND))
    due = due_of(db)
    running = [schedulers(env) for _ in range(2)]
    wait_until(lambda: posts(standin) and claimed(db), lambda: "a claim")
    time.sleep(standin.latency / 2)
    # Kill whichever is still posting (on PostgreSQL, the lock holder).
    victim = next(s for s in running if s.summary(KIND) is None)
    assert victim.kill() == -signal.SIGKILL
    survivor = next(s for s in running if s is not victim)
    wait_until(lambda: recorded(db, due), lambda: f"the survivor's run:\n{survivor.log}", 40)
    assert survivor.stop() == 0, survivor.log
    assert_each_posted_once(db, standin, targets)
    assert {d.status for d in deliveries(db)} == {DeliveryStatus.POSTED}


def test_sigterm_finishes_the_post_under_way_and_the_next_scheduler_the_rest(
    db, standin, schedulers
):
    """Graceful shutdown: the post on its way to Slack is finished and recorded, no other
    is started, the run is left unrecorded; the next scheduler posts only the rest."""
    targets = portfolio(db, standin, KIND, count=4)
    standin.latency = 0.4
    env = environment(db, standin, **owe_a_run(db, KIND))
    due = due_of(db)
    first = schedulers(env)
    wait_until(lambda: claimed(db), lambda: f"a claim:\n{first.log}")
    assert first.stop() == 0, first.log
    # Nothing left half-done: every claim is confirmed, and the run is still owed.
    records = deliveries(db)
    assert records and {d.status for d in records} == {DeliveryStatus.POSTED}, first.log
    assert len(records) < len(targets), "stopped before the end"
    assert not recorded(db, due) and "finishing the posts under way" in first.log

    standin.latency = 0
    second = schedulers(env)
    wait_until(lambda: recorded(db, due), lambda: f"the rest:\n{second.log}")
    assert second.stop() == 0, second.log
    assert_each_posted_once(db, standin, targets)
