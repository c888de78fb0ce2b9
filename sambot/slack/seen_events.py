"""Slack retries an event it thinks was not received (`X-Slack-Retry-Num`), possibly to
another replica: the event ids seen are kept in the database for an hour, so each event is
handled once by whichever replica gets it first."""

from datetime import datetime, timedelta

from sqlalchemy import DateTime, String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base, Database, utcnow

# Slack retries three times within about five minutes.
REMEMBERED_FOR = timedelta(hours=1)


class SeenEvent(Base):
    __tablename__ = "seen_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def first_time(database: Database, event_id: str) -> bool:
    """Records the event id; True if no replica had seen it."""
    insert = postgresql.insert if database.is_postgresql else sqlite.insert
    with database.session() as db:
        inserted = db.execute(
            insert(SeenEvent.__table__)
            .values(event_id=event_id, seen_at=utcnow())
            .on_conflict_do_nothing()
            .returning(SeenEvent.event_id)
        ).scalar()
        if inserted is not None and hash(event_id) % 100 == 0:  # now and then, forget old ones
            db.execute(delete(SeenEvent).where(SeenEvent.seen_at < utcnow() - REMEMBERED_FOR))
    return inserted is not None
