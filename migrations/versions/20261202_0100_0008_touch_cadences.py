"""touch cadences: a stakeholder's own cadence, and the snooze of its reminder

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("cadence_days", "cadence_snoozed_until")

# Plain ALTER TABLE, not batch mode: batch mode rebuilds the table on SQLite and reflects
# the accounts table it refers to, whose case-insensitive name index it cannot reflect.


def upgrade() -> None:
    op.add_column("stakeholders", sa.Column("cadence_days", sa.SmallInteger(), nullable=True))
    op.add_column("stakeholders", sa.Column("cadence_snoozed_until", sa.Date(), nullable=True))


def downgrade() -> None:
    for column in reversed(COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE stakeholders DROP COLUMN {column}")
        else:
            op.drop_column("stakeholders", column)
