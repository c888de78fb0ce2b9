"""Delivery records: each scheduled post is claimed in the database before it is made.

The claim is a row inserted (and committed) under a unique key per job, account or
recipient, and period. Whoever inserts it posts; anyone else skips. A run killed between
its claim and Slack's answer, or a post Slack never answered, leaves the claim
unconfirmed, and that post is not made again: a missing message is better than a double
one. A post Slack refused is marked failed, and the next run may claim it again.
"""

from functools import cache

from sqlalchemy import Connection, and_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sambot.db import utcnow
from sambot.deliveries.models import Delivery, DeliveryStatus

# Core statements built once: a claim and a record per post are the jobs' hottest path.
_table = Delivery.__table__
_c = _table.c


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
        "held_by_account": select(_c.id, _c.status).where(
            same_key, _c.account_id == bindparam("account_id")
        ),
        "held_by_recipient": select(_c.id, _c.status).where(
            same_key, _c.recipient_id == bindparam("recipient_id")
        ),
        # The status check makes one run win if two retry a failed post at once.
        "retake": update(_table)
        .where(_c.id == bindparam("delivery_id"), _c.status == DeliveryStatus.FAILED)
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
) -> tuple[int | None, DeliveryStatus | None]:
    """(id of the delivery we now own, None) or (None, status of the one someone else holds).

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
            return inserted, None
        if account_id is not None:
            held = connection.execute(
                statements["held_by_account"], {**key, "account_id": account_id}
            )
        else:
            held = connection.execute(
                statements["held_by_recipient"], {**key, "recipient_id": recipient_id}
            )
        held_id, status = held.one()
        if status == DeliveryStatus.FAILED:
            retaken = connection.execute(
                statements["retake"],
                {"delivery_id": held_id, "channel_id": channel_id, "claimed_at": utcnow()},
            ).rowcount
            if retaken:
                return held_id, None
            status = DeliveryStatus.CLAIMED
        return None, status


def record_posted(connection: Connection, *, delivery_id: int, channel_id: str, message_ts: str):
    params = {"delivery_id": delivery_id, "channel_id": channel_id, "message_ts": message_ts}
    _execute(connection, "posted", {**params, "posted_at": utcnow()})


def record_failed(connection: Connection, *, delivery_id: int, error: str) -> None:
    _execute(connection, "failed", {"delivery_id": delivery_id, "error": error[:1000]})
