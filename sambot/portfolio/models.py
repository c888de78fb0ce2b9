from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sambot.accounts.models import Money
from sambot.db import Base, utcnow


class AccountSnapshot(Base):
    """An account's figures as an import gave them for a period (a month, `YYYY-MM`).

    One per account and period: importing again in the same month replaces that month's
    figures, so the history holds one point a month to follow results over time.
    """

    __tablename__ = "account_snapshots"
    __table_args__ = (UniqueConstraint("account_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    annual_revenue: Mapped[Decimal | None] = mapped_column(Money)
    gross_margin: Mapped[Decimal | None] = mapped_column(Money)
    potential_revenue: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
