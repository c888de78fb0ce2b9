"""The weekly touch-cadence reminder: who gets which stakeholders, across a time-zone
boundary; a touchpoint resets the clock; snooze; once per person and week; Slack's faults."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sambot.cli import main
from sambot.config import load_settings
from sambot.deliveries.models import Delivery, DeliveryStatus
from sambot.jobs.cadence_job import ONLY_DRY_RUN, week_of
from sambot.jobs.posting import UNANSWERED
from sambot.jobs.scheduler import triggers
from sambot.relationships import cadence
from sambot.slack.client import build_web_client
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from tests.jobs.builders import TOKEN, make_account, make_workspace, posts, run
from tests.relationships.builders import met, person

# Monday 7 December 2026, 08:00 UTC: 09:00 in Paris, but still Sunday 6th (22:00) in Honolulu.
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
DANA, LEE, OWNER = "UDANA", "ULEE", "UOWNER"


def world(db, standin, timezone: str = "Europe/Paris") -> dict[str, int]:
    """Stakeholders whose cadence runs out on Sunday 6 December, and others around them."""
    workspace_id = make_workspace(db, timezone)
    acme = make_account(db, workspace_id, "Acme", channel="C1", owner=OWNER, standin=standin)
    for user in (DANA, LEE):
        standin.add_user(user, user.lower())
    ids = {
        # A key decision maker: 30 days; met 6 November, due 6 December.
        "Walter": person(
            db,
            workspace_id,
            acme,
            "Walter",
            role=StakeholderRole.DECISION_MAKER,
            power=5,
            relationship_owner_id=DANA,
        ),
        # Anyone else: 60 days; met 7 October, due 6 December.
        "Greta": person(db, workspace_id, acme, "Greta", power=2, relationship_owner_id=DANA),
        # Key, no owner, never met: the account owner's.
        "Kim": person(db, workspace_id, acme, "Kim", power=4),
        # Not key, no owner: nobody's.
        "Low": person(db, workspace_id, acme, "Low", power=2),
        "Fresh": person(db, workspace_id, acme, "Fresh", power=5, relationship_owner_id=DANA),
        # Their own cadence: 7 days; met 28 November, due 5 December.
        "Weekly": person(
            db, workspace_id, acme, "Weekly", power=3, relationship_owner_id=LEE, cadence_days=7
        ),
    }
    met(db, workspace_id, acme, date(2026, 11, 6), ids["Walter"])
    met(db, workspace_id, acme, date(2026, 10, 7), ids["Greta"])
    met(db, workspace_id, acme, date(2026, 12, 1), ids["Fresh"])
    met(db, workspace_id, acme, date(2026, 11, 28), ids["Weekly"])
    met(db, workspace_id, acme, date(2026, 9, 1), ids["Walter"], ids["Greta"])  # older
    return {"workspace_id": workspace_id, "account_id": acme, **ids}


def listed(db, standin, user: str) -> list[list[str]]:
    """Each reminder `user` received: the stakeholders it lists, in order."""
    with db.session() as s:
        names = dict(s.execute(select(Stakeholder.id, Stakeholder.name)).all())
    reminders = []
    for message in standin.messages(user):
        ids = [
            int(block["block_id"].removeprefix("cadence_person_"))
            for block in message["blocks"]
            if block.get("block_id", "").startswith("cadence_person_")
        ]
        reminders.append([names[i] for i in ids])
    return reminders


def test_each_owner_gets_their_stakeholders_past_cadence_in_paris(db, standin, client):
    world(db, standin, "Europe/Paris")
    summary = run("cadence", db, client, at=MONDAY)
    assert summary.ok and summary.period_key == "2026-W50"
    assert listed(db, standin, DANA) == [["Walter", "Greta"]]
    assert listed(db, standin, OWNER) == [["Kim"]]
    assert listed(db, standin, LEE) == [["Weekly"]]
    assert sorted(summary.posted) == sorted(
        f"<@{user}> (direct message)" for user in (DANA, LEE, OWNER)
    )
    [reminder] = standin.messages(OWNER)
    text = str(reminder["blocks"])
    assert "no relationship owner: you own the account" in text and "never met" in text
    assert standin.violations == []


def test_still_sunday_in_honolulu_so_the_boundary_cases_wait(db, standin, client):
    world(db, standin, "Pacific/Honolulu")
    summary = run("cadence", db, client, at=MONDAY)
    # Sunday 6 December is the day Walter and Greta are due, not past due; the week is 49.
    assert summary.period_key == "2026-W49"
    assert listed(db, standin, DANA) == []
    assert listed(db, standin, OWNER) == [["Kim"]]
    assert listed(db, standin, LEE) == [["Weekly"]]


def test_a_touchpoint_resets_the_clock(db, standin, client):
    ids = world(db, standin)
    run("cadence", db, client, at=MONDAY)
    met(db, ids["workspace_id"], ids["account_id"], date(2026, 12, 8), ids["Walter"], ids["Kim"])
    run("cadence", db, client, at=MONDAY + timedelta(days=7))
    assert listed(db, standin, DANA) == [["Walter", "Greta"], ["Greta"]]
    # Kim was met: the account owner has nothing this week.
    assert listed(db, standin, OWNER) == [["Kim"]]


def test_snooze_two_weeks(db, standin, client):
    ids = world(db, standin)
    with db.session() as s:
        until = cadence.snooze(
            s, stakeholder=s.get(Stakeholder, ids["Greta"]), today=date(2026, 12, 7)
        )
    assert until == date(2026, 12, 21)
    for week in range(3):
        run("cadence", db, client, at=MONDAY + timedelta(days=7 * week))
    assert listed(db, standin, DANA) == [["Walter"], ["Walter"], ["Walter", "Greta"]]


def test_once_per_person_and_week(db, standin, client):
    world(db, standin)
    first = run("cadence", db, client, at=MONDAY)
    again = run("cadence", db, client, at=MONDAY + timedelta(days=3))  # Thursday, same week
    assert len(first.posted) == 3 and again.posted == []
    assert [why for _, why in again.skipped] == ["already posted"] * 3
    with db.session() as s:
        records = list(s.scalars(select(Delivery)))
    assert {(d.job_kind, d.period_key, d.status) for d in records} == {
        ("cadence", "2026-W50", DeliveryStatus.POSTED)
    }
    assert sorted(d.recipient_id for d in records) == [DANA, LEE, OWNER]
    next_week = run("cadence", db, client, at=MONDAY + timedelta(days=7))
    assert len(next_week.posted) == 3


def test_two_runs_at_once_send_each_reminder_once(db, standin, client):
    world(db, standin)
    standin.latency = 0.01
    barrier = threading.Barrier(2)
    summaries = []

    def scheduler():
        barrier.wait()
        summaries.append(run("cadence", db, client, at=MONDAY))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(s.posted) for s in summaries) == 3
    assert [len(standin.messages(user)) for user in (DANA, LEE, OWNER)] == [1, 1, 1]


def test_rate_limits_and_server_errors_are_retried(db, standin, client):
    world(db, standin)
    standin.rate_limit("chat.postMessage", retry_after=1, when=lambda a: a["channel"] == DANA)
    standin.server_error("chat.postMessage", times=2, when=lambda a: a["channel"] == LEE)
    summary = run("cadence", db, client, at=MONDAY)
    assert summary.ok and len(summary.posted) == 3
    assert [len(standin.messages(user)) for user in (DANA, LEE, OWNER)] == [1, 1, 1]


def test_a_failed_reminder_is_sent_by_the_next_run(db, standin):
    client = build_web_client(TOKEN, standin.base_url, max_retries=1)
    world(db, standin)
    standin.server_error("chat.postMessage", times=None, when=lambda a: a["channel"] == DANA)
    summary = run("cadence", db, client, at=MONDAY)
    assert summary.failed == [(f"<@{DANA}> (direct message)", "internal_error")]
    assert len(standin.messages(LEE)) == 1
    standin.reset()  # Slack is back; what it received is forgotten
    again = run("cadence", db, client, at=MONDAY + timedelta(hours=1))
    assert again.posted == [f"<@{DANA}> (direct message)"]
    # Only Dana's is sent: Lee's was sent by the first run.
    assert len(standin.messages(DANA)) == 1 and standin.messages(LEE) == []


def test_a_reminder_slack_did_not_answer_is_found_not_sent_again(db, standin):
    world(db, standin)
    client = build_web_client(TOKEN, standin.base_url)
    client.timeout = 0.2
    standin.answer_late("chat.postMessage", 0.5, times=3)  # Slack makes all three, late
    summary = run("cadence", db, client, at=MONDAY)
    assert {why for _, why in summary.failed} == {UNANSWERED} and len(summary.failed) == 3
    # Lee's never reached Slack after all (as if lost): only that one is sent again.
    [lost] = standin.messages(LEE)
    build_web_client(TOKEN, standin.base_url).chat_delete(channel=f"D{LEE}", ts=lost["ts"])
    again = run("cadence", db, client, at=MONDAY)
    assert len(again.posted) == 3
    assert [len(standin.messages(user)) for user in (DANA, LEE, OWNER)] == [1, 1, 1]
    assert len(posts(standin)) == 4  # three first, then only the lost one


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked"])
def test_a_revoked_token_stops_the_run(db, standin, client, error):
    world(db, standin)
    standin.fail("chat.postMessage", error, times=None)
    summary = run("cadence", db, client, at=MONDAY)
    assert summary.stopped and error in summary.stopped
    assert len(standin.calls("chat.postMessage")) == 1


def test_a_person_slack_cannot_message_does_not_stop_the_others(db, standin, client):
    world(db, standin)
    standin.fail("chat.postMessage", "user_not_found", when=lambda a: a["channel"] == DANA)
    summary = run("cadence", db, client, at=MONDAY)
    assert summary.failed == [(f"<@{DANA}> (direct message)", "user_not_found")]
    assert [len(standin.messages(user)) for user in (LEE, OWNER)] == [1, 1]


def test_dry_run_prints_and_neither_posts_nor_records(db, standin):
    world(db, standin)
    printed = []
    summary = run("cadence", db, None, at=MONDAY, dry_run=True, echo=printed.append)
    assert len(summary.posted) == 3 and standin.calls() == []
    with db.session() as s:
        assert s.scalars(select(Delivery)).all() == []
    assert any("Walter" in text and "Greta" in text for text in printed)
    one = []
    run("cadence", db, None, at=MONDAY, dry_run=True, echo=one.append, account="acme")
    assert len(one) == 3


def test_one_account_only_in_a_dry_run(db, standin, client):
    world(db, standin)
    summary = run("cadence", db, client, at=MONDAY, account="Acme")
    assert summary.stopped == ONLY_DRY_RUN and posts(standin) == []


def test_a_long_list_fits_in_one_message(db, standin, client):
    ids = world(db, standin)
    for n in range(30):
        person(
            db, ids["workspace_id"], ids["account_id"], f"Extra {n:02}", relationship_owner_id=LEE
        )
    run("cadence", db, client, at=MONDAY)
    [reminder] = standin.messages(LEE)
    assert len(reminder["blocks"]) <= 50
    assert "…and 11 more" in str(reminder["blocks"])
    assert standin.violations == []


def test_week_keys_follow_iso_weeks():
    assert week_of(date(2026, 12, 7)) == "2026-W50"
    assert week_of(date(2027, 1, 1)) == "2026-W53"  # a Friday: ISO week 53 of 2026
    assert week_of(date(2027, 1, 4)) == "2027-W01"


def test_the_reminder_fires_mondays_at_nine_in_the_workspace_zone():
    settings = load_settings(sambot_timezone="Europe/Paris", _env_file=None)
    trigger = triggers(settings)["cadence"]
    start = datetime(2026, 3, 20, tzinfo=UTC)  # across the change to summer time
    fires = []
    for _ in range(3):
        start = trigger.get_next_fire_time(None, start)
        fires.append(start)
        start += timedelta(minutes=1)
    assert [(f.strftime("%a %d %H:%M"), f.utcoffset()) for f in fires] == [
        ("Mon 23 09:00", timedelta(hours=1)),
        ("Mon 30 09:00", timedelta(hours=2)),
        ("Mon 06 09:00", timedelta(hours=2)),
    ]


def test_sambot_jobs_run_cadence_follows_the_cadence_settings(db, standin, monkeypatch, tmp_path):
    world(db, standin)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", standin.base_url)
    monkeypatch.setenv("SAMBOT_TIMEZONE", "Europe/Paris")
    # Greta (power 2) was met 61 days before; Walter (key decision maker) 31 days before.
    monkeypatch.setenv("SAMBOT_CADENCE_DEFAULT_DAYS", "90")
    monkeypatch.setenv("SAMBOT_CADENCE_KEY_DECISION_MAKER_DAYS", "45")
    monkeypatch.setenv("SAMBOT_POST_RATE", "0")
    assert main(["jobs", "run", "cadence", "--at", "2026-12-07T09:00"]) == 0
    assert listed(db, standin, DANA) == []
    assert listed(db, standin, OWNER) == [["Kim"]]
