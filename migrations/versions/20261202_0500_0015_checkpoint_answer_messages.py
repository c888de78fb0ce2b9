"""checkpoint answers keep where their question and reminder were sent

Closing a round takes the buttons off its questions and reminders: it found them in the
deliveries table, now on each person's answer. The upgrade copies what the deliveries
knew; the downgrade gives the deliveries back the questions sent by hand (`/sam
checkpoint`), which only the answers know after the upgrade.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The checkpoints job's delivery key of a person's question (a) or reminder (r) in a round.
_KEY = "checkpoint_answers.user_id || '/{}' || CAST(checkpoint_answers.round_id AS VARCHAR(20))"


def _sent(column: str, kind: str) -> str:
    return (
        f"(SELECT d.{column} FROM deliveries d WHERE d.job_kind = 'checkpoints' "
        f"AND d.message_ts IS NOT NULL AND d.recipient_id = {_KEY.format(kind)} "
        "ORDER BY d.id DESC LIMIT 1)"
    )


def _batch():
    # SQLite rebuilds the table: its foreign keys are copied, not followed to the tables
    # they name (whose expression index SQLAlchemy cannot reflect).
    return op.batch_alter_table("checkpoint_answers", reflect_kwargs={"resolve_fks": False})


def upgrade() -> None:
    with _batch() as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("question_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reminder_ts", sa.String(length=32), nullable=True))
    op.execute(
        f"UPDATE checkpoint_answers SET "
        f"channel_id = COALESCE({_sent('channel_id', 'a')}, {_sent('channel_id', 'r')}), "
        f"question_ts = {_sent('message_ts', 'a')}, "
        f"reminder_ts = {_sent('message_ts', 'r')}"
    )


def downgrade() -> None:
    op.execute(
        "INSERT INTO deliveries (workspace_id, job_kind, recipient_id, period_key, channel_id, "
        "message_ts, status, claimed_at, posted_at) "
        f"SELECT r.workspace_id, 'checkpoints', {_KEY.format('a')}, "
        "CAST(r.started_on AS VARCHAR(40)), checkpoint_answers.channel_id, "
        "checkpoint_answers.question_ts, 'posted', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
        "FROM checkpoint_answers JOIN checkpoint_rounds r ON r.id = checkpoint_answers.round_id "
        "WHERE checkpoint_answers.question_ts IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        f"deliveries d WHERE d.job_kind = 'checkpoints' AND d.recipient_id = {_KEY.format('a')})"
    )
    with _batch() as batch_op:
        batch_op.drop_column("reminder_ts")
        batch_op.drop_column("question_ts")
        batch_op.drop_column("channel_id")
