"""The monthly report job against the Slack stand-in: each report posted once, whatever happens."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.deliveries.models import Delivery, DeliveryStatus
from sambot.jobs import deliveries as claims
from sambot.jobs.posting import UNANSWERED
from sambot.jobs.scheduler import retryable_failures
from sambot.slack.client import build_web_client
from tests.jobs.builders import (
    TOKEN,
    make_account,
    make_action,
    make_workspace,
    posts,
    run,
)

# The first weekday of November 2026 (Monday 2nd), 09:00 in Paris.
AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def portfolio(db, standin, count: int = 5) -> tuple[int, list[int]]:
    """`count` accounts with a channel each (C1, C2, ...), owned by U1, U2, ..."""
    workspace_id = make_workspace(db)
    account_ids = []
    for n in range(1, count + 1):
        account_id = make_account(
            db, workspace_id, f"Account {n}", channel=f"C{n}", owner=f"U{n}", standin=standin
        )
        make_action(
            db,
            workspace_id,
            account_id,
            f"Action of account {n}",
            created=datetime(2026, 10, 1, 12, tzinfo=UTC),
            completed=datetime(2026, 10, 20, 12, tzinfo=UTC),
        )
        account_ids.append(account_id)
    return workspace_id, account_ids


def deliveries(db) -> list[Delivery]:
    with db.session() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def headers(standin, channel: str) -> list[str]:
    return [m["blocks"][0]["text"]["text"] for m in standin.messages(channel)]


def test_each_report_is_posted_once_and_never_again(db, standin, client):
    _, account_ids = portfolio(db, standin)
    with time_machine.travel(AT, tick=False):
        summary = run("monthly-report", db, client)
    assert summary.period_key == "2026-10" and summary.ok
    assert len(summary.posted) == 5
    for n in range(1, 6):
        assert headers(standin, f"C{n}") == [f"Monthly report · Account {n} · October 2026"]
    records = deliveries(db)
    assert [(d.account_id, d.status) for d in records] == [
        (account_id, DeliveryStatus.POSTED) for account_id in account_ids
    ]
    assert [d.message_ts for d in records] == [
        standin.messages(f"C{n}")[0]["ts"] for n in range(1, 6)
    ]

    with time_machine.travel(AT, tick=False):
        again = run("monthly-report", db, client)
    assert again.posted == [] and len(again.skipped) == 5
    assert {why for _, why in again.skipped} == {"already posted"}
    assert len(posts(standin)) == 5


class Killed(BaseException):
    """The process dying mid-run (not an error any handler would catch)."""


class DyingClient:
    """A client whose process dies right after its `after`-th post, before it is recorded."""

    def __init__(self, client, after: int):
        self._client, self._left = client, after

    def __getattr__(self, name):
        return getattr(self._client, name)

    def chat_postMessage(self, **kwargs):
        response = self._client.chat_postMessage(**kwargs)
        self._left -= 1
        if self._left == 0:
            raise Killed
        return response


def test_a_run_killed_half_way_posts_the_rest_once_when_run_again(db, standin, client):
    portfolio(db, standin, count=6)
    with pytest.raises(Killed):
        run("monthly-report", db, DyingClient(client, after=3), at=AT)
    assert len(posts(standin)) == 3

    summary = run("monthly-report", db, client, at=AT)
    # The third post was made but not recorded: within its claim's lease it is left alone.
    assert len(summary.posted) == 3
    assert [why for _, why in summary.skipped].count("already posted") == 2
    assert any("interrupted" in why for _, why in summary.skipped)
    assert standin.calls("conversations.history") == []
    # Past the lease, the next run finds it in the channel's history: recorded, not posted.
    last = run("monthly-report", db, client, at=AT, claim_lease=timedelta(0))
    assert last.posted == ["Account 3 (<#C3>)"]
    assert len(standin.calls("conversations.history")) == 1
    for n in range(1, 7):
        assert len(standin.messages(f"C{n}")) == 1, f"C{n}"
    assert {d.status for d in deliveries(db)} == {DeliveryStatus.POSTED}


def test_a_post_slack_did_not_answer_in_time_is_found_not_made_again(db, standin):
    portfolio(db, standin, count=2)
    client = build_web_client(TOKEN, standin.base_url)
    client.timeout = 0.2
    standin.answer_late("chat.postMessage", 0.5, times=2)  # Slack makes both, answers late
    summary = run("monthly-report", db, client, at=AT)
    assert sorted(summary.failed) == [
        ("Account 1 (<#C1>)", UNANSWERED),
        ("Account 2 (<#C2>)", UNANSWERED),
    ]
    assert retryable_failures([summary]) == 2  # the scheduler tries them again
    # One of them is gone by the time the retry looks (as if it never reached Slack).
    [lost] = standin.messages("C2")
    build_web_client(TOKEN, standin.base_url).chat_delete(channel="C2", ts=lost["ts"])
    again = run("monthly-report", db, client, at=AT)
    assert sorted(again.posted) == ["Account 1 (<#C1>)", "Account 2 (<#C2>)"]
    assert len(standin.messages("C1")) == 1 and len(standin.messages("C2")) == 1
    assert len(posts(standin)) == 3  # two first, then only the lost one
    assert (
        lost["metadata"]["event_payload"]["delivery_id"]
        == (standin.messages("C2")[0]["metadata"]["event_payload"]["delivery_id"])
    )


def test_two_runs_at_the_same_instant_post_each_report_once(db, standin, client):
    portfolio(db, standin, count=8)
    standin.latency = 0.01  # long enough for the runs to overlap
    summaries = []
    barrier = threading.Barrier(2)

    def scheduler():
        barrier.wait()
        summaries.append(run("monthly-report", db, client, at=AT))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whichever run posts what (the run lock and the claims decide), each report once.
    assert [s.ok for s in summaries] == [True, True]
    assert sum(len(s.posted) for s in summaries) == 8
    assert len(posts(standin)) == 8
    for n in range(1, 9):
        assert len(standin.messages(f"C{n}")) == 1, f"C{n}"
    assert [d.status for d in deliveries(db)] == [DeliveryStatus.POSTED] * 8


def test_only_one_of_simultaneous_claims_wins(db, standin):
    workspace_id, account_ids = portfolio(db, standin, count=1)
    barrier = threading.Barrier(4)
    won = []

    def claim():
        with db.engine.connect() as connection:
            barrier.wait()
            delivery_id, *_ = claims.claim(
                connection,
                workspace_id=workspace_id,
                job_kind="monthly-report",
                period_key="2026-10",
                channel_id="C1",
                account_id=account_ids[0],
            )
        won.append(delivery_id)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won, key=str).count(None) == 3 and len(deliveries(db)) == 1


def test_dry_run_prints_and_neither_posts_nor_records(db, standin, client):
    portfolio(db, standin, count=2)
    printed = []
    summary = run("monthly-report", db, None, at=AT, dry_run=True, echo=printed.append)
    assert summary.posted == ["Account 1 (<#C1>)", "Account 2 (<#C2>)"]
    assert standin.calls() == [] and deliveries(db) == []
    assert "Monthly report · Account 1 · October 2026" in printed[0]
    assert "Action of account 1" in printed[0]


def test_one_account_by_name(db, standin, client):
    portfolio(db, standin, count=3)
    summary = run("monthly-report", db, client, at=AT, account="account 2")
    assert summary.posted == ["Account 2 (<#C2>)"]
    assert [len(standin.messages(f"C{n}")) for n in (1, 2, 3)] == [0, 1, 0]


def test_rate_limits_and_server_errors_are_retried(db, standin, client):
    portfolio(db, standin, count=3)
    standin.rate_limit("chat.postMessage", retry_after=1, when=lambda a: a["channel"] == "C1")
    standin.server_error("chat.postMessage", times=2, when=lambda a: a["channel"] == "C2")
    summary = run("monthly-report", db, client, at=AT)
    assert summary.ok and len(summary.posted) == 3
    attempts = [c.args["channel"] for c in standin.calls("chat.postMessage")]
    assert attempts.count("C1") == 2 and attempts.count("C2") == 3
    assert [len(standin.messages(f"C{n}")) for n in (1, 2, 3)] == [1, 1, 1]


def test_a_failed_post_is_retried_by_the_next_run(db, standin):
    client = build_web_client(TOKEN, standin.base_url, max_retries=1)
    portfolio(db, standin, count=2)
    standin.server_error("chat.postMessage", times=None, when=lambda a: a["channel"] == "C1")
    summary = run("monthly-report", db, client, at=AT)
    assert summary.failed == [("Account 1 (<#C1>)", "internal_error")]
    assert len(standin.messages("C2")) == 1
    standin.reset()  # Slack is back
    again = run("monthly-report", db, client, at=AT)
    assert again.posted == ["Account 1 (<#C1>)"]
    assert len(standin.messages("C1")) == 1 and len(standin.messages("C2")) == 0


def test_the_bot_joins_a_public_channel_it_is_not_in(db, standin, client):
    portfolio(db, standin, count=2)
    standin.add_channel("C1", "account 1", bot_is_member=False)
    summary = run("monthly-report", db, client, at=AT)
    assert summary.ok and len(summary.posted) == 2
    assert [c.args["channel"] for c in standin.calls("conversations.join")] == ["C1"]
    assert len(standin.messages("C1")) == 1


def test_a_private_channel_without_the_bot_gets_the_owner_told(db, standin, client):
    portfolio(db, standin, count=3)
    standin.add_channel("C2", "account 2", is_private=True)
    standin.fail("chat.postMessage", "not_in_channel", when=lambda a: a["channel"] == "C2")
    summary = run("monthly-report", db, client, at=AT)
    assert summary.failed == [("Account 2 (<#C2>)", "not_in_channel")]
    assert len(standin.messages("C1")) == 1 and len(standin.messages("C3")) == 1
    [dm] = standin.messages("U2")
    assert "cannot join it myself" in dm["text"] and "/invite @sambot" in dm["text"]
    # Told once a month, however many runs fail the same way.
    standin.fail("chat.postMessage", "not_in_channel", when=lambda a: a["channel"] == "C2")
    run("monthly-report", db, client, at=AT)
    assert len(standin.messages("U2")) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived"])
def test_a_channel_gone_is_marked_unavailable_and_its_owner_told(db, standin, client, error):
    _, account_ids = portfolio(db, standin, count=3)
    if error == "is_archived":
        standin.add_channel("C2", "account 2", is_archived=True)
    else:
        standin.reset(everything=True)
        for n in (1, 3):
            standin.add_channel(f"C{n}", f"account {n}")
        standin.add_user("U2", "u2")
    summary = run("monthly-report", db, client, at=AT)
    assert summary.failed == [("Account 2 (<#C2>)", error)]
    assert [len(standin.messages(f"C{n}")) for n in (1, 3)] == [1, 1]
    with db.session() as s:
        unavailable = s.get(Account, account_ids[1]).channel_unavailable_at
    assert unavailable is not None
    [dm] = standin.messages("U2")
    assert "Account 2" in dm["text"] and "paused" in dm["text"]
    assert summary.notified == ["U2 (channel-gone, Account 2 (<#C2>))"]

    # The next runs leave the account alone until its channel is linked again.
    calls = len(standin.calls("chat.postMessage"))
    december = run("monthly-report", db, client, at=datetime(2026, 12, 1, 8, tzinfo=UTC))
    targets = [c.args["channel"] for c in standin.calls("chat.postMessage")[calls:]]
    assert sorted(targets) == ["C1", "C3"]
    [(what, why)] = december.skipped
    assert what == "Account 2 (<#C2>)" and "linked again" in why


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
def test_a_revoked_token_stops_the_workspace_run(db, standin, client, error):
    portfolio(db, standin, count=5)
    standin.fail("chat.postMessage", error, times=None, when=lambda a: a["channel"] >= "C3")
    summary = run("monthly-report", db, client, at=AT)
    assert summary.posted == ["Account 1 (<#C1>)", "Account 2 (<#C2>)"]
    assert summary.failed == [("Account 3 (<#C3>)", error)]
    assert summary.stopped and error in summary.stopped
    # Nothing was tried after the refusal.
    assert [c.args["channel"] for c in standin.calls("chat.postMessage")] == ["C1", "C2", "C3"]


def test_accounts_without_channel_or_archived_get_nothing(db, standin, client):
    workspace_id, _ = portfolio(db, standin, count=1)
    make_account(db, workspace_id, "No channel", channel=None)
    archived = make_account(db, workspace_id, "Archived", channel="CARCH", standin=standin)
    with db.session() as s:
        s.get(Account, archived).archived = True
    summary = run("monthly-report", db, client, at=AT)
    assert summary.posted == ["Account 1 (<#C1>)"]
    assert standin.messages("CARCH") == []


def test_a_huge_account_stays_within_slack_limits(db, standin, client):
    workspace_id = make_workspace(db)
    account_id = make_account(db, workspace_id, "H" * 100, channel="CHUGE", standin=standin)
    long = "x" * 190
    created = datetime(2026, 9, 1, tzinfo=UTC)
    for n in range(60):
        common = {"created": created, "obstacle": "o" * 3000}
        make_action(
            db,
            workspace_id,
            account_id,
            f"Done {n} {long}",
            completed=datetime(2026, 10, 2, tzinfo=UTC),
            **common,
        )
        make_action(
            db, workspace_id, account_id, f"Late {n} {long}", due=date(2026, 9, 2), **common
        )
        make_action(
            db, workspace_id, account_id, f"Next {n} {long}", due=date(2026, 11, 9), **common
        )
    summary = run("monthly-report", db, client, at=AT)
    assert summary.ok, summary.failed
    assert standin.violations == []
    [message] = standin.messages("CHUGE")
    assert len(message["blocks"]) <= 50
    text = str(message["blocks"])
    assert "more completed" in text and "more overdue" in text and "more due" in text


def test_several_posting_threads_post_each_report_once(db, standin, client):
    portfolio(db, standin, count=9)
    standin.latency = 0.005
    summary = run("monthly-report", db, client, at=AT, post_threads=3)
    assert summary.ok and sorted(summary.posted) == [f"Account {n} (<#C{n}>)" for n in range(1, 10)]
    for n in range(1, 10):
        assert len(standin.messages(f"C{n}")) == 1, f"C{n}"
    assert {d.status for d in deliveries(db)} == {DeliveryStatus.POSTED}


def test_a_channel_shared_with_the_client_gets_the_client_version(db, standin, client):
    workspace_id = make_workspace(db)
    internal = make_account(db, workspace_id, "Internal", channel="CIN", standin=standin)
    shared = make_account(db, workspace_id, "Shared", channel="CSHARED", standin=standin)
    for account_id in (internal, shared):
        make_action(
            db,
            workspace_id,
            account_id,
            "Hidden from the client",
            created=datetime(2026, 10, 1, 12, tzinfo=UTC),
            due=date(2026, 10, 15),
            obstacle="Their CFO blocks it",
        )
    with db.session() as s:
        s.get(Account, shared).channel_shared_with_client = True
    with time_machine.travel(AT, tick=False):
        assert len(run("monthly-report", db, client).posted) == 2
    internal_text = str(standin.messages("CIN")[0]["blocks"])
    shared_text = str(standin.messages("CSHARED")[0]["blocks"])
    assert "Their CFO blocks it" in internal_text
    assert "Their CFO blocks it" not in shared_text and "Hidden from the client" not in shared_text
