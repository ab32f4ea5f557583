"""Membership over time: leadership changes within a period, and mergers of units.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leadership_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("since", sa.String(length=10), nullable=False),
        sa.Column("head_unit_id", sa.Integer(), nullable=False),
        sa.Column("deputy_unit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cluster_id"], ["clusters.id"]),
        sa.ForeignKeyConstraint(["head_unit_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["deputy_unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_leadership_changes_cluster_id", "leadership_changes", ["cluster_id"])
    op.create_table(
        "mergers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("into_unit_id", sa.Integer(), nullable=False),
        sa.Column("merged_on", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["into_unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id"),
    )


def downgrade() -> None:
    op.drop_table("mergers")
    op.drop_index("ix_leadership_changes_cluster_id", table_name="leadership_changes")
    op.drop_table("leadership_changes")
