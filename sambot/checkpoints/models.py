"""Alignment checkpoints: a round of three quick questions asked of an account team."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sambot.db import Base, Timestamps, utcnow

COMMENT_MAX_LENGTH = 1000


class Question(StrEnum):
    """The article's three alignments: information, people, actions."""

    INFORMATION = "information"
    ROLES = "roles"
    COORDINATION = "coordination"


class CheckpointRound(Timestamps, Base):
    """One checkpoint of one account: asked on `started_on`, reminded, closed, results posted."""

    __tablename__ = "checkpoint_rounds"
    __table_args__ = (Index(None, "account_id", "started_on"), Index(None, "closed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    started_by: Mapped[str] = mapped_column(String(32))  # a user id, or "schedule"
    started_on: Mapped[date] = mapped_column(Date)
    remind_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    answers: Mapped[list["CheckpointAnswer"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="CheckpointAnswer.id"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def _score(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_score")


class CheckpointAnswer(Base):
    """A team member asked in a round; the scores stay empty until they press them."""

    __tablename__ = "checkpoint_answers"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        _score("information"),
        _score("roles"),
        _score("coordination"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("checkpoint_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    information: Mapped[int | None] = mapped_column(SmallInteger)
    roles: Mapped[int | None] = mapped_column(SmallInteger)
    coordination: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where the person's question and reminder were sent (one conversation with them), so
    # that closing the round can take their buttons away.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    question_ts: Mapped[str | None] = mapped_column(String(32))
    reminder_ts: Mapped[str | None] = mapped_column(String(32))

    round: Mapped[CheckpointRound] = relationship(back_populates="answers")

    def score(self, question: Question) -> int | None:
        return getattr(self, question.value)

    @property
    def complete(self) -> bool:
        return all(self.score(question) is not None for question in Question)


class CheckpointSchedule(Base):
    """An account whose team is asked every month, by the checkpoints job."""

    __tablename__ = "checkpoint_schedules"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
