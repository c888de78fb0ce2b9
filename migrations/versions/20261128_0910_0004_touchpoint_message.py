"""touchpoints.channel_id and message_ts: where sambot posted each touchpoint

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("channel_id", "message_ts")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("touchpoints", sa.Column(name, sa.String(length=32), nullable=True))


def downgrade() -> None:
    for name in COLUMNS:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE touchpoints DROP COLUMN {name}")
        else:
            op.drop_column("touchpoints", name)
