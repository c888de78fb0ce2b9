from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sambot.db import Base, Timestamps, str_enum


class Tier(StrEnum):
    STRATEGIC = "strategic"
    KEY = "key"
    OTHER = "other"


class TeamRole(StrEnum):
    OWNER = "owner"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    SALES = "sales"
    TECHNICAL = "technical"
    SERVICE = "service"
    OTHER = "other"


Money = Numeric(18, 2)


class Account(Timestamps, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_id"),
        CheckConstraint("annual_revenue >= 0", name="annual_revenue_not_negative"),
        CheckConstraint("potential_revenue >= 0", name="potential_revenue_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_iso_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    # Set when Slack says the channel is gone or archived; scheduled posts skip it until relinked.
    channel_unavailable_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A Slack Connect channel shared with the client: scheduled reports there are the client
    # version, which leaves internal fields out.
    channel_shared_with_client: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    owner_id: Mapped[str] = mapped_column(String(32))
    tier: Mapped[Tier] = mapped_column(str_enum(Tier, "tier"), default=Tier.STRATEGIC)
    industry: Mapped[str | None] = mapped_column(String(100))
    annual_revenue: Mapped[Decimal | None] = mapped_column(Money)
    gross_margin: Mapped[Decimal | None] = mapped_column(Money)
    potential_revenue: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Seen only by its team and workspace admins (sambot.accounts.permissions).
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    team: Mapped[list["TeamMember"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="TeamMember.id"
    )

    @property
    def margin_percent(self) -> Decimal | None:
        """Gross margin as a share of revenue; derived so the two can never disagree."""
        if self.gross_margin is None or not self.annual_revenue:
            return None
        return (self.gross_margin / self.annual_revenue * 100).quantize(Decimal("0.1"))


# Names are unique per workspace whatever their case: "Acme" and "ACME" are one client.
Index(
    "uq_accounts_workspace_id_lower_name",
    Account.workspace_id,
    func.lower(Account.name),
    unique=True,
)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("account_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole, "team_role"))

    account: Mapped[Account] = relationship(back_populates="team")
