"""A message's blocks, kept in the database while a form about one of its actions is open.

"Change due date" or "Reassign" pressed in a long grouped message must redraw that message
when the form is submitted, but the form's private_metadata holds 3,000 characters and a
grouped nudge can be far larger. The blocks wait here instead, so that whichever process
receives the submission can redraw the message. A kept message is taken once; what nobody
took within a day is dropped with the next one kept.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import JSON, DateTime, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sambot.db import Base, utcnow

KEPT_FOR = timedelta(days=1)


class KeptMessage(Base):
    __tablename__ = "kept_messages"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    blocks: Mapped[list] = mapped_column(JSON)
    kept_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def keep(db: Session, blocks: list | tuple) -> str:
    db.execute(delete(KeptMessage).where(KeptMessage.kept_at < utcnow() - KEPT_FOR))
    key = secrets.token_hex(16)
    db.add(KeptMessage(key=key, blocks=list(blocks)))
    db.flush()
    return key


def take(db: Session, key: str) -> list | None:
    """The blocks kept under `key` (once), or None when they were taken or dropped."""
    kept = db.scalar(select(KeptMessage).where(KeptMessage.key == key))
    if kept is None:
        return None
    db.delete(kept)
    db.flush()
    return kept.blocks
