from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base, Timestamps


class Workspace(Timestamps, Base):
    """A Slack workspace (team). Every other row belongs to one."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Set when the app is uninstalled or its tokens revoked: no job runs here any more, and
    # the data is purged after SAMBOT_RETENTION_DAYS (`sambot workspace purge`).
    uninstalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who may change an account's plan, people and actions (sambot.accounts.permissions).
    edit_policy: Mapped[str] = mapped_column(String(16), default="team", server_default="team")
