from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base, Timestamps, str_enum


class StakeholderRole(StrEnum):
    ECONOMIC_BUYER = "economic_buyer"
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    CHAMPION = "champion"
    USER = "user"
    GATEKEEPER = "gatekeeper"
    COACH = "coach"
    OTHER = "other"


ATTITUDE_LABELS = {-2: "blocker", -1: "skeptic", 0: "neutral", 1: "supporter", 2: "champion"}


class Stakeholder(Timestamps, Base):
    """A person at the client, assessed by role, power, influence, interest and attitude."""

    __tablename__ = "stakeholders"
    __table_args__ = (
        CheckConstraint("power BETWEEN 1 AND 5", name="power_1_to_5"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence_1_to_5"),
        CheckConstraint("interest BETWEEN 1 AND 5", name="interest_1_to_5"),
        CheckConstraint("attitude BETWEEN -2 AND 2", name="attitude_minus_2_to_2"),
        CheckConstraint("reports_to_id IS NULL OR reports_to_id <> id", name="not_own_manager"),
        Index(None, "account_id", "power"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[StakeholderRole] = mapped_column(
        str_enum(StakeholderRole, "stakeholder_role"), default=StakeholderRole.OTHER
    )
    power: Mapped[int] = mapped_column(SmallInteger, default=3)
    influence: Mapped[int] = mapped_column(SmallInteger, default=3)
    interest: Mapped[int] = mapped_column(SmallInteger, default=3)
    attitude: Mapped[int] = mapped_column(SmallInteger, default=0)
    relationship_owner_id: Mapped[str | None] = mapped_column(String(32))
    reports_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="SET NULL")
    )
    # Left the company: kept for the history of touchpoints, out of lists and reports.
    left_on: Mapped[date | None] = mapped_column(Date)
    # Days between touches (1 to 365, checked by the schema); None: the default for the
    # role and power (SAMBOT_CADENCE_*).
    cadence_days: Mapped[int | None] = mapped_column(SmallInteger)
    # "Snooze two weeks" on the cadence reminder: not listed as past cadence before then.
    cadence_snoozed_until: Mapped[date | None] = mapped_column(Date)

    @property
    def attitude_label(self) -> str:
        return ATTITUDE_LABELS[self.attitude]

    @property
    def is_key(self) -> bool:
        """Key stakeholders are the powerful ones; the report flags them when nobody meets them."""
        return self.power >= 4
