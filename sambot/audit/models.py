"""One row per write to an audited record: who, when, from where, and each field's change."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base, utcnow


class AuditEvent(Base):
    """A record created, updated or deleted.

    `account_id` is a plain number, not a foreign key: an account's trail outlives the
    account (its deletion is itself an event). `changes` is a list of
    {"field", "old", "new"} with JSON-ready values.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_workspace_id_at", "workspace_id", "at"),
        Index("ix_audit_events_account_id_at", "account_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str | None] = mapped_column(String(32))  # a Slack user id; None: sambot
    source: Mapped[str] = mapped_column(String(16))  # see sambot.audit.context.Source
    detail: Mapped[str | None] = mapped_column(String(200))  # the command, form, job...
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(200))  # the record's name at the time
    operation: Mapped[str] = mapped_column(String(16))  # created, updated, deleted
    changes: Mapped[list] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
