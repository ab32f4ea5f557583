"""Identity: delegations of logins to people, and grants that are revoked, not deleted.

Also closes a gap in the append-only ledger on SQLite: INSERT OR REPLACE deletes the row it
replaces without firing DELETE triggers, so an insert over a recorded event is refused too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


NO_REPLACE = """CREATE TRIGGER ledger_no_replace BEFORE INSERT ON ledger
    WHEN EXISTS (SELECT 1 FROM ledger WHERE seq = NEW.seq
                 OR idempotency_key = NEW.idempotency_key)
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: INSERT over a recorded event refused');
    END"""


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login", "actor_id"),
    )
    op.create_index("ix_delegations_login", "delegations", ["login"])
    op.add_column("grants", sa.Column("revoked_on", sa.String(length=32), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ledger_no_replace")
    with op.batch_alter_table("grants") as batch_op:
        batch_op.drop_column("revoked_on")
    op.drop_index("ix_delegations_login", table_name="delegations")
    op.drop_table("delegations")
