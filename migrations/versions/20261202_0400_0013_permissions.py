"""permissions: a workspace's edit policy, and private accounts

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-02 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: batch mode rebuilds the table on SQLite and would drop
# the case-insensitive name index on accounts, which it cannot reflect.


def upgrade() -> None:
    op.add_column(
        "workspaces",
        sa.Column("edit_policy", sa.String(length=16), server_default="team", nullable=False),
    )
    op.add_column(
        "accounts",
        sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    for table, column in (("accounts", "private"), ("workspaces", "edit_policy")):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)
