"""kept messages: a long message's blocks, kept while a form about one of its actions is open

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kept_messages",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kept_messages")),
    )
    op.create_index(op.f("ix_kept_messages_kept_at"), "kept_messages", ["kept_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_kept_messages_kept_at"), table_name="kept_messages")
    op.drop_table("kept_messages")
