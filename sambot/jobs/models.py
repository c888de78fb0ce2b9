from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sambot.db import Base


class JobRun(Base):
    """The last scheduled run of each job, kept so a scheduler that was down catches up once."""

    __tablename__ = "job_runs"

    job_kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The scheduled fire time the last completed run was for (not when it happened to run).
    last_fire_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str | None] = mapped_column(Text)
