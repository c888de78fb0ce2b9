"""alignment checkpoints (rounds, answers, monthly schedules) and the programme channel

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkpoint_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("remind_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_checkpoint_rounds_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_checkpoint_rounds_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_rounds")),
    )
    op.create_index(
        op.f("ix_checkpoint_rounds_account_id_started_on"),
        "checkpoint_rounds",
        ["account_id", "started_on"],
    )
    op.create_index(op.f("ix_checkpoint_rounds_closed_at"), "checkpoint_rounds", ["closed_at"])
    op.create_table(
        "checkpoint_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("information", sa.SmallInteger(), nullable=True),
        sa.Column("roles", sa.SmallInteger(), nullable=True),
        sa.Column("coordination", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "information BETWEEN 1 AND 5", name=op.f("ck_checkpoint_answers_information_score")
        ),
        sa.CheckConstraint("roles BETWEEN 1 AND 5", name=op.f("ck_checkpoint_answers_roles_score")),
        sa.CheckConstraint(
            "coordination BETWEEN 1 AND 5", name=op.f("ck_checkpoint_answers_coordination_score")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["checkpoint_rounds.id"],
            name=op.f("fk_checkpoint_answers_round_id_checkpoint_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_answers")),
        sa.UniqueConstraint(
            "round_id", "user_id", name=op.f("uq_checkpoint_answers_round_id_user_id")
        ),
    )
    op.create_table(
        "checkpoint_schedules",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_checkpoint_schedules_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_checkpoint_schedules_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_checkpoint_schedules")),
    )
    op.create_table(
        "programme_channels",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_programme_channels_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_programme_channels")),
    )


def downgrade() -> None:
    op.drop_table("programme_channels")
    op.drop_table("checkpoint_schedules")
    op.drop_table("checkpoint_answers")
    op.drop_index(op.f("ix_checkpoint_rounds_closed_at"), table_name="checkpoint_rounds")
    op.drop_index(
        op.f("ix_checkpoint_rounds_account_id_started_on"), table_name="checkpoint_rounds"
    )
    op.drop_table("checkpoint_rounds")
