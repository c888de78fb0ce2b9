from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sambot.db import Base, Timestamps, str_enum
from sambot.stakeholders.models import Stakeholder

SUMMARY_MAX_LENGTH = 3000


class TouchpointKind(StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    QBR = "qbr"
    EXECUTIVE_VISIT = "executive_visit"
    EVENT = "event"
    OTHER = "other"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class Source(StrEnum):
    COMMAND = "command"
    MODAL = "modal"
    MESSAGE_SHORTCUT = "message_shortcut"
    IMPORT = "import"


touchpoint_stakeholders = Table(
    "touchpoint_stakeholders",
    Base.metadata,
    Column("touchpoint_id", ForeignKey("touchpoints.id", ondelete="CASCADE"), primary_key=True),
    Column("stakeholder_id", ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "stakeholder_id"),
)


class Touchpoint(Timestamps, Base):
    """Something that happened with the client: a meeting, a call, a visit."""

    __tablename__ = "touchpoints"
    __table_args__ = (
        CheckConstraint(f"length(summary) <= {SUMMARY_MAX_LENGTH}", name="summary_length"),
        Index(None, "account_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    occurred_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[TouchpointKind] = mapped_column(str_enum(TouchpointKind, "touchpoint_kind"))
    summary: Mapped[str] = mapped_column(Text)
    sentiment: Mapped[Sentiment] = mapped_column(
        str_enum(Sentiment, "sentiment"), default=Sentiment.NEUTRAL
    )
    logged_by: Mapped[str] = mapped_column(String(32))
    source: Mapped[Source] = mapped_column(str_enum(Source, "touchpoint_source"))
    message_link: Mapped[str | None] = mapped_column(String(500))
    # Where sambot posted the touchpoint, so "Add details" updates that post in place.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))

    stakeholders: Mapped[list[Stakeholder]] = relationship(
        secondary=touchpoint_stakeholders, order_by=Stakeholder.name
    )
