from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base, Timestamps, str_enum


class Horizon(StrEnum):
    SHORT_TERM = "short_term"
    LONG_TERM = "long_term"


class ObjectiveStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class Objective(Timestamps, Base):
    """What the account plan aims at; actions may serve one."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    horizon: Mapped[Horizon] = mapped_column(
        str_enum(Horizon, "horizon"), default=Horizon.SHORT_TERM
    )
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ObjectiveStatus] = mapped_column(
        str_enum(ObjectiveStatus, "objective_status"), default=ObjectiveStatus.NOT_STARTED
    )
