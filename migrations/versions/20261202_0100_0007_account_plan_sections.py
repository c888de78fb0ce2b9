"""account plan sections: the planning tools (profile, value, strategy map, industry
factors, competitors, expansion areas) and who last updated each section

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _owned(name: str, *columns: sa.Column, unique: tuple[str, ...] | None = None) -> None:
    """A table of one account's plan: id, workspace, account, then its own columns."""
    constraints = [
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f(f"fk_{name}_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{name}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]
    if unique:
        constraints.append(sa.UniqueConstraint(*unique, name=op.f(f"uq_{name}_{'_'.join(unique)}")))
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        *columns,
        *constraints,
    )


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    _owned(
        "plan_sections",
        sa.Column(
            "section",
            _enum(
                "plan_section",
                "profile",
                "value",
                "strategy",
                "industry",
                "competition",
                "relationship",
                "actions",
            ),
            nullable=False,
        ),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        unique=("account_id", "section"),
    )
    _owned(
        "industry_factors",
        sa.Column(
            "factor",
            _enum(
                "industry_factor",
                "political",
                "economic",
                "social",
                "technological",
                "legal",
                "environmental",
                "market_conditions",
                "supply_and_demand",
            ),
            nullable=False,
        ),
        sa.Column("impact", _enum("factor_impact", "up", "down", "neutral"), nullable=False),
        sa.Column("trend", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_timestamps(),
        unique=("account_id", "factor"),
    )
    _owned(
        "competitors",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=True),
        sa.Column("weaknesses", sa.Text(), nullable=True),
        sa.Column(
            "position",
            _enum("competitive_position", "preferred", "equal", "behind", "unknown"),
            nullable=False,
        ),
        sa.Column("differentiators", sa.Text(), nullable=True),
        *_timestamps(),
        unique=("account_id", "name"),
    )
    _owned(
        "expansion_areas",
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("estimated_value", sa.Numeric(18, 2), nullable=True),
        sa.Column(
            "stage",
            _enum("expansion_stage", "idea", "qualified", "proposed", "negotiating", "won", "lost"),
            nullable=False,
        ),
        sa.Column("next_step", sa.Text(), nullable=True),
        *_timestamps(),
    )
    op.create_index(
        op.f("ix_expansion_areas_account_id"), "expansion_areas", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_expansion_areas_account_id"), table_name="expansion_areas")
    for name in ("expansion_areas", "competitors", "industry_factors", "plan_sections"):
        op.drop_table(name)
