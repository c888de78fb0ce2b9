"""accounts.channel_shared_with_client: reports in a Slack Connect channel are the client version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: batch mode rebuilds the table on SQLite and would drop
# the case-insensitive name index, which it cannot reflect.


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column(
            "channel_shared_with_client", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE accounts DROP COLUMN channel_shared_with_client")
    else:
        op.drop_column("accounts", "channel_shared_with_client")
