"""A scheduled post is claimed before it is made, at most once per key: sambot.jobs.deliveries."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from sambot.deliveries.models import Delivery, DeliveryStatus
from sambot.jobs import deliveries
from tests.jobs.builders import make_account, make_workspace

KEY = {"job_kind": "monthly_report", "period_key": "2026-10"}


@pytest.fixture
def world(db):
    workspace_id = make_workspace(db)
    acme = make_account(db, workspace_id, "Acme", channel="CACME")
    globex = make_account(db, workspace_id, "Globex", channel="CGLOBEX")
    with db.engine.connect() as connection:
        yield connection, workspace_id, acme, globex


def claim(connection, workspace_id, channel="CACME", **target):
    return deliveries.claim(
        connection, workspace_id=workspace_id, channel_id=channel, **{**KEY, **target}
    )


def stored(db, delivery_id) -> Delivery:
    with db.session() as s:
        return s.get(Delivery, delivery_id)


def test_the_first_claim_wins_and_is_committed_before_the_post(db, world):
    connection, workspace_id, acme, _ = world
    before = datetime.now(UTC) - timedelta(seconds=1)
    delivery_id, held, _ = claim(connection, workspace_id, account_id=acme)
    assert delivery_id is not None and held is None
    # Another connection sees it: the claim is durable before anything is posted.
    row = stored(db, delivery_id)
    assert (row.status, row.channel_id, row.account_id, row.recipient_id) == (
        DeliveryStatus.CLAIMED,
        "CACME",
        acme,
        None,
    )
    assert (row.job_kind, row.period_key, row.workspace_id) == (
        "monthly_report",
        "2026-10",
        workspace_id,
    )
    assert row.claimed_at.replace(tzinfo=UTC) >= before and row.posted_at is None
    assert not connection.in_transaction()

    assert claim(connection, workspace_id, account_id=acme) == (None, DeliveryStatus.CLAIMED, None)


def test_each_account_job_and_period_has_its_own_claim(db, world):
    connection, workspace_id, acme, globex = world
    first, *_ = claim(connection, workspace_id, account_id=acme)
    others = [
        claim(connection, workspace_id, account_id=globex)[0],
        claim(connection, workspace_id, account_id=acme, period_key="2026-11")[0],
        claim(connection, workspace_id, account_id=acme, job_kind="nudges")[0],
    ]
    assert None not in others and len({first, *others}) == 4


def test_a_person_is_claimed_by_recipient(db, world):
    connection, workspace_id, acme, _ = world
    dana, *_ = claim(connection, workspace_id, channel="UDANA", recipient_id="UDANA")
    lee, *_ = claim(connection, workspace_id, channel="ULEE", recipient_id="ULEE")
    assert dana is not None and lee is not None and dana != lee
    assert claim(connection, workspace_id, channel="UDANA", recipient_id="UDANA") == (
        None,
        DeliveryStatus.CLAIMED,
        None,
    )
    deliveries.record_posted(connection, delivery_id=lee, channel_id="DLEE", message_ts="1.1")
    assert claim(connection, workspace_id, channel="ULEE", recipient_id="ULEE") == (
        None,
        DeliveryStatus.POSTED,
        None,
    )
    # An account's claim and a person's do not collide.
    assert claim(connection, workspace_id, account_id=acme)[0] is not None


def test_a_posted_delivery_records_where_and_is_never_claimed_again(db, world):
    connection, workspace_id, acme, _ = world
    delivery_id, *_ = claim(connection, workspace_id, account_id=acme)
    before = datetime.now(UTC) - timedelta(seconds=1)
    deliveries.record_posted(
        connection, delivery_id=delivery_id, channel_id="CACME2", message_ts="123.456"
    )
    row = stored(db, delivery_id)
    assert (row.status, row.channel_id, row.message_ts) == (
        DeliveryStatus.POSTED,
        "CACME2",
        "123.456",
    )
    assert row.posted_at.replace(tzinfo=UTC) >= before
    assert not connection.in_transaction()
    assert claim(connection, workspace_id, account_id=acme) == (None, DeliveryStatus.POSTED, None)


def test_a_failed_post_is_claimed_again_by_the_next_run(db, world):
    connection, workspace_id, acme, globex = world
    delivery_id, *_ = claim(connection, workspace_id, account_id=acme)
    other, *_ = claim(connection, workspace_id, account_id=globex)
    deliveries.record_failed(connection, delivery_id=delivery_id, error="x" * 1500)
    row = stored(db, delivery_id)
    assert row.status == DeliveryStatus.FAILED and row.error == "x" * 1000
    assert stored(db, other).status == DeliveryStatus.CLAIMED  # only that one failed

    taken = claim(connection, workspace_id, channel="CNEW", account_id=acme)
    assert taken[:2] == (delivery_id, None)
    assert (taken.earlier.status, taken.earlier.error) == (DeliveryStatus.FAILED, "x" * 1000)
    row = stored(db, delivery_id)
    assert (row.status, row.channel_id, row.error) == (DeliveryStatus.CLAIMED, "CNEW", None)
    # Retaken once: the next run finds it claimed.
    assert claim(connection, workspace_id, account_id=acme) == (None, DeliveryStatus.CLAIMED, None)


def test_of_two_runs_retrying_a_failed_post_at_once_one_wins(db, world):
    """Both read "failed"; the other run retakes it between our read and our update."""
    connection, workspace_id, acme, _ = world
    delivery_id, *_ = claim(connection, workspace_id, account_id=acme)
    deliveries.record_failed(connection, delivery_id=delivery_id, error="ratelimited")

    def other_run_retakes_it(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "status" in statement:
            other = cursor.connection.cursor()  # the same transaction, as if it came first
            other.execute("UPDATE deliveries SET status = 'claimed' WHERE status = 'failed'")
            other.close()

    event.listen(connection, "after_cursor_execute", other_run_retakes_it)
    try:
        assert claim(connection, workspace_id, account_id=acme) == (
            None,
            DeliveryStatus.CLAIMED,
            None,
        )
    finally:
        event.remove(connection, "after_cursor_execute", other_run_retakes_it)


def test_a_failed_recipient_post_is_claimed_again_too(db, world):
    connection, workspace_id, _, _ = world
    delivery_id, *_ = claim(connection, workspace_id, channel="UDANA", recipient_id="UDANA")
    deliveries.record_failed(connection, delivery_id=delivery_id, error="ratelimited")
    assert stored(db, delivery_id).error == "ratelimited"
    taken = claim(connection, workspace_id, channel="UDANA", recipient_id="UDANA")
    assert taken[:2] == (delivery_id, None) and taken.earlier.error == "ratelimited"


def test_existing_reads_the_period_by_account_or_recipient(db, world):
    connection, workspace_id, acme, globex = world
    posted, *_ = claim(connection, workspace_id, account_id=acme)
    deliveries.record_posted(connection, delivery_id=posted, channel_id="CACME", message_ts="1")
    claim(connection, workspace_id, account_id=globex)
    failed, *_ = claim(connection, workspace_id, channel="UDANA", recipient_id="UDANA")
    deliveries.record_failed(connection, delivery_id=failed, error="boom")
    claim(connection, workspace_id, account_id=acme, period_key="2026-11")
    claim(connection, workspace_id, account_id=acme, job_kind="nudges")
    with db.session() as s:
        assert deliveries.existing(s, workspace_id=workspace_id, **KEY) == {
            acme: DeliveryStatus.POSTED,
            globex: DeliveryStatus.CLAIMED,
            "UDANA": DeliveryStatus.FAILED,
        }
        assert deliveries.existing(s, workspace_id=workspace_id + 1, **KEY) == {}


def test_the_dialects_insert_skips_a_row_already_there(db, world):
    """The scheduler's run records use the same INSERT ... ON CONFLICT DO NOTHING."""
    _, workspace_id, _, _ = world
    with db.session() as s:
        insert = deliveries.dialect_insert(s, Delivery).on_conflict_do_nothing()
        values = {"workspace_id": workspace_id, "recipient_id": "UDANA", **KEY}
        assert s.execute(insert.returning(Delivery.id), values).scalar() is not None
        assert s.execute(insert.returning(Delivery.id), values).scalar() is None
        assert len(s.scalars(select(Delivery.id)).all()) == 1


def test_a_claim_left_past_its_lease_is_taken_over_once(db, world):
    """A run killed between its claim and Slack's answer: the claim goes stale after the
    lease, and one run (not two) takes it over, told when the earlier attempt began."""
    connection, workspace_id, acme, _ = world
    lease = timedelta(minutes=5)
    delivery_id, *_ = claim(connection, workspace_id, account_id=acme, lease=lease)
    first_claim = stored(db, delivery_id).claimed_at.replace(tzinfo=UTC)
    # Within the lease: held.
    assert claim(connection, workspace_id, account_id=acme, lease=lease) == (
        None,
        DeliveryStatus.CLAIMED,
        None,
    )
    with db.session() as s:
        s.get(Delivery, delivery_id).claimed_at = first_claim - lease - timedelta(seconds=1)
    taken = claim(connection, workspace_id, account_id=acme, lease=lease)
    assert taken.delivery_id == delivery_id and taken.held is None
    assert taken.earlier.status == DeliveryStatus.CLAIMED
    assert abs(taken.earlier.claimed_at - (first_claim - lease)) < timedelta(seconds=2)
    assert stored(db, delivery_id).claimed_at.replace(tzinfo=UTC) >= first_claim
    # Taken over: fresh again, so a second run holds off.
    assert claim(connection, workspace_id, account_id=acme, lease=lease)[:2] == (
        None,
        DeliveryStatus.CLAIMED,
    )
