from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base, Timestamps, str_enum

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 3000


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


def days_late(due_date: date | None, status: ActionStatus, today: date) -> int:
    """Days past its due date for an open action; 0 when not late, done or cancelled."""
    if status not in OPEN_STATUSES or due_date is None or due_date >= today:
        return 0
    return (today - due_date).days


class ActionState:
    """What an action's status and due date say: the same for a whole action and a listed
    line of one."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_late(self, today: date) -> int:
        return days_late(self.due_date, self.status, today)


class Action(ActionState, Timestamps, Base):
    """A step of the account's action plan, with one owner and a due date."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="completed_at_iff_done"
        ),
        # Reports and nudges read actions by account, status and due date, and by owner.
        Index(None, "account_id", "status", "due_date"),
        Index(None, "owner_id", "status", "due_date"),
        Index(None, "status", "due_date"),
        Index(None, "account_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("objectives.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    detail: Mapped[str | None] = mapped_column(Text)
    obstacle: Mapped[str | None] = mapped_column(Text)
    # Why it was cancelled: internal, never in the client's report.
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[str] = mapped_column(String(32))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    shared_with_client: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[str] = mapped_column(String(32))
    last_changed_by: Mapped[str | None] = mapped_column(String(32))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    # The once-a-day rule for nudges.
    last_nudged_on: Mapped[date | None] = mapped_column(Date)
    # Where the action's own message is, so it can be updated in place from anywhere.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))


@dataclass(frozen=True, slots=True)
class ActionLine(ActionState):
    """An open action as a list shows it (`/action list`, the Home tab). Lists are read most,
    and read without the ORM: its identity map and instrumented objects cost more than the
    query (bench/README.md)."""

    id: int
    title: str
    owner_id: str
    due_date: date | None
    status: ActionStatus
    shared_with_client: bool
