"""The planning tools' tables.

Each section's last update (who, when) is one `plan_sections` row per account and section,
written whenever anything in the section changes, so "when was this last looked at" is
one query for a whole portfolio. The three sections made of fields keep them in that
row (validated by their schema, see schemas.py); the three made of items (industry
factors, competitors, expansion areas) have a table each.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sambot.accounts.models import Money
from sambot.db import Base, Timestamps, str_enum, utcnow


class Section(StrEnum):
    """The plan's sections, in the order the plan shows them."""

    PROFILE = "profile"
    VALUE = "value"
    STRATEGY = "strategy"
    INDUSTRY = "industry"
    COMPETITION = "competition"
    RELATIONSHIP = "relationship"
    ACTIONS = "actions"


FIELD_SECTIONS = (Section.PROFILE, Section.VALUE, Section.STRATEGY)
ITEM_SECTIONS = (Section.INDUSTRY, Section.COMPETITION, Section.RELATIONSHIP)


class Factor(StrEnum):
    POLITICAL = "political"
    ECONOMIC = "economic"
    SOCIAL = "social"
    TECHNOLOGICAL = "technological"
    LEGAL = "legal"
    ENVIRONMENTAL = "environmental"
    MARKET_CONDITIONS = "market_conditions"
    SUPPLY_AND_DEMAND = "supply_and_demand"


class Impact(StrEnum):
    """What the factor does to the client's business."""

    UP = "up"
    DOWN = "down"
    NEUTRAL = "neutral"


class Position(StrEnum):
    """Where the client places us against this competitor."""

    PREFERRED = "preferred"
    EQUAL = "equal"
    BEHIND = "behind"
    UNKNOWN = "unknown"


class Stage(StrEnum):
    IDEA = "idea"
    QUALIFIED = "qualified"
    PROPOSED = "proposed"
    NEGOTIATING = "negotiating"
    WON = "won"
    LOST = "lost"


class PlanSection(Base):
    __tablename__ = "plan_sections"
    __table_args__ = (UniqueConstraint("account_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    section: Mapped[Section] = mapped_column(str_enum(Section, "plan_section"))
    # The fields of a field section (empty for the item sections).
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndustryFactor(Timestamps, Base):
    __tablename__ = "industry_factors"
    __table_args__ = (UniqueConstraint("account_id", "factor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    factor: Mapped[Factor] = mapped_column(str_enum(Factor, "industry_factor"))
    impact: Mapped[Impact] = mapped_column(str_enum(Impact, "factor_impact"))
    trend: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(32))


class Competitor(Timestamps, Base):
    __tablename__ = "competitors"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    strengths: Mapped[str | None] = mapped_column(Text)
    weaknesses: Mapped[str | None] = mapped_column(Text)
    position: Mapped[Position] = mapped_column(
        str_enum(Position, "competitive_position"), default=Position.UNKNOWN
    )
    differentiators: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(32))


class ExpansionArea(Timestamps, Base):
    __tablename__ = "expansion_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(String(200))
    estimated_value: Mapped[Decimal | None] = mapped_column(Money)
    stage: Mapped[Stage] = mapped_column(str_enum(Stage, "expansion_stage"), default=Stage.IDEA)
    next_step: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(32))
