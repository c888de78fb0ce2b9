"""Delivery records: each scheduled post is claimed in the database before it is made.

The claim is a row inserted (and committed) under a unique key per job, account or
recipient, and period. Whoever inserts it posts; anyone else skips. A claim holds for a
lease: one still unconfirmed after it (its run was killed between claim and Slack's
answer) is stale, and the next run may take it over, as it may take over a failed post.
Whoever takes over a post whose outcome is unknown looks for it in the channel's history
first (each post carries its delivery id in its metadata, see `posting`): made once.
"""

from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Connection, and_, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sambot.db import utcnow
from sambot.deliveries.models import Delivery, DeliveryStatus
from sambot.reports.period import as_utc

# Core statements built once: a claim and a record per post are the jobs' hottest path.
_table = Delivery.__table__
_c = _table.c
# How long a claim holds before another run may take it over. Longer than any post may
# take (the client's timeout times its retries, and the pacing before it).
DEFAULT_LEASE = timedelta(minutes=5)


class Earlier(NamedTuple):
    """A post taken over from an earlier attempt: how that attempt ended, and when."""

    status: DeliveryStatus  # FAILED, or CLAIMED for a stale claim (its run was killed)
    error: str | None
    claimed_at: datetime


class Claim(NamedTuple):
    """(the delivery we now own, None, earlier attempt if taken over) or
    (None, status of the one someone else holds, None)."""

    delivery_id: int | None
    held: DeliveryStatus | None
    earlier: Earlier | None = None


def dialect_insert(db: Session, table):
    """INSERT with ON CONFLICT support, for the session's database."""
    return _insert_for(db.get_bind().dialect.name, table)


def _insert_for(dialect: str, table):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@cache
def _statements(dialect: str) -> dict:
    same_key = and_(
        _c.workspace_id == bindparam("workspace_id"),
        _c.job_kind == bindparam("job_kind"),
        _c.period_key == bindparam("period_key"),
    )
    return {
        "claim": _insert_for(dialect, _table).on_conflict_do_nothing().returning(_c.id),
        "held_by_account": select(_c.id, _c.status, _c.error, _c.claimed_at).where(
            same_key, _c.account_id == bindparam("account_id")
        ),
        "held_by_recipient": select(_c.id, _c.status, _c.error, _c.claimed_at).where(
            same_key, _c.recipient_id == bindparam("recipient_id")
        ),
        # The conditions make one run win if two take over the same post at once: the
        # winner's claim is neither failed nor stale any more.
        "retake": update(_table)
        .where(
            _c.id == bindparam("delivery_id"),
            or_(
                _c.status == DeliveryStatus.FAILED,
                and_(_c.status == DeliveryStatus.CLAIMED, _c.claimed_at < bindparam("stale")),
            ),
        )
        .values(
            status=DeliveryStatus.CLAIMED,
            channel_id=bindparam("channel_id"),
            claimed_at=bindparam("claimed_at"),
            error=None,
        ),
        "posted": update(_table)
        .where(_c.id == bindparam("delivery_id"))
        .values(
            status=DeliveryStatus.POSTED,
            channel_id=bindparam("channel_id"),
            message_ts=bindparam("message_ts"),
            posted_at=bindparam("posted_at"),
        ),
        "failed": update(_table)
        .where(_c.id == bindparam("delivery_id"))
        .values(status=DeliveryStatus.FAILED, error=bindparam("error")),
    }


def _execute(connection: Connection, name: str, params: dict):
    with connection.begin():
        return connection.execute(_statements(connection.dialect.name)[name], params)


def existing(
    db: Session, *, workspace_id: int, job_kind: str, period_key: str
) -> dict[int | str, DeliveryStatus]:
    """The deliveries already made or claimed for a period: account id or recipient -> status."""
    rows = db.execute(
        select(Delivery.account_id, Delivery.recipient_id, Delivery.status).where(
            Delivery.workspace_id == workspace_id,
            Delivery.job_kind == job_kind,
            Delivery.period_key == period_key,
        )
    )
    return {account_id or recipient_id: status for account_id, recipient_id, status in rows}


def claim(
    connection: Connection,
    *,
    workspace_id: int,
    job_kind: str,
    period_key: str,
    channel_id: str,
    account_id: int | None = None,
    recipient_id: str | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> Claim:
    """Insert the claim, or take over a failed or stale one.

    Committed before it returns: the claim must be durable before the post is made.
    """
    key = {"workspace_id": workspace_id, "job_kind": job_kind, "period_key": period_key}
    with connection.begin():
        statements = _statements(connection.dialect.name)
        inserted = connection.execute(
            statements["claim"],
            {
                **key,
                "account_id": account_id,
                "recipient_id": recipient_id,
                "channel_id": channel_id,
                "status": DeliveryStatus.CLAIMED,
                "claimed_at": utcnow(),
            },
        ).scalar()
        if inserted is not None:
            return Claim(inserted, None)
        if account_id is not None:
            held = connection.execute(
                statements["held_by_account"], {**key, "account_id": account_id}
            )
        else:
            held = connection.execute(
                statements["held_by_recipient"], {**key, "recipient_id": recipient_id}
            )
        held_id, status, error, claimed_at = held.one()
        now = utcnow()
        stale = now - lease
        if status == DeliveryStatus.FAILED or (
            status == DeliveryStatus.CLAIMED and as_utc(claimed_at) < stale
        ):
            retaken = connection.execute(
                statements["retake"],
                {
                    "delivery_id": held_id,
                    "channel_id": channel_id,
                    "claimed_at": now,
                    "stale": stale,
                },
            ).rowcount
            if retaken:
                return Claim(held_id, None, Earlier(status, error, as_utc(claimed_at)))
            status = DeliveryStatus.CLAIMED
        return Claim(None, status)


def record_posted(connection: Connection, *, delivery_id: int, channel_id: str, message_ts: str):
    params = {"delivery_id": delivery_id, "channel_id": channel_id, "message_ts": message_ts}
    _execute(connection, "posted", {**params, "posted_at": utcnow()})


def record_failed(connection: Connection, *, delivery_id: int, error: str) -> None:
    _execute(connection, "failed", {"delivery_id": delivery_id, "error": error[:1000]})
