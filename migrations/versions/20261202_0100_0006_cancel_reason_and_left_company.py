"""the reason an action was cancelled, and when a stakeholder left the company

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("stakeholders") as batch:
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stakeholders") as batch:
        batch.drop_column("left_on")
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("cancel_reason")
