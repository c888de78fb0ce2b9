"""touch cadences: a stakeholder's own cadence, and the snooze of its reminder

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stakeholders") as batch:
        batch.add_column(sa.Column("cadence_days", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("cadence_snoozed_until", sa.Date(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_stakeholders_cadence_1_to_365_days"), "cadence_days BETWEEN 1 AND 365"
        )


def downgrade() -> None:
    with op.batch_alter_table("stakeholders") as batch:
        batch.drop_constraint(op.f("ck_stakeholders_cadence_1_to_365_days"), type_="check")
        batch.drop_column("cadence_snoozed_until")
        batch.drop_column("cadence_days")
