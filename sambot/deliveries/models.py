from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base, str_enum, utcnow


class DeliveryStatus(StrEnum):
    CLAIMED = "claimed"  # a run took it and is posting it
    POSTED = "posted"
    FAILED = "failed"


class Delivery(Base):
    """One scheduled post, recorded so it is never made twice.

    A post goes either to an account (its channel) or to a person (a direct message), so
    exactly one of account_id and recipient_id is set; each has its own unique key.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "job_kind", "account_id", "period_key"),
        UniqueConstraint("workspace_id", "job_kind", "recipient_id", "period_key"),
        CheckConstraint(
            "(account_id IS NULL) <> (recipient_id IS NULL)", name="account_or_recipient"
        ),
        Index(None, "job_kind", "period_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    job_kind: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    recipient_id: Mapped[str | None] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(40))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.CLAIMED
    )
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
