"""Trust: the settings of a database, definition versions by status, people disabled and
delegations revoked, each cycle's last event, and triggers no session can switch off.

- ``settings``: the business time zone and the document size limit of this database.
- ``definitions.status``: ``shipped``, ``published`` or ``draft`` (a draft never holds a label).
- ``actors.disabled_on``, ``delegations.revoked_on``: kept, never deleted.
- ``cycles.last_seq`` and ``cycles.last_hash``: the cycle's last ledger event, so a step can
  refuse a cycle row that no longer matches its ledger; filled in from the ledger here.
- On PostgreSQL the append-only triggers fire ALWAYS, also in a session that sets
  ``session_replication_role = replica``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULTS = {"time_zone": "Asia/Ho_Chi_Minh", "document_limit": str(50 * 1024 * 1024)}
LAST_EVENT = """UPDATE cycles SET
    last_seq = (SELECT MAX(seq) FROM ledger WHERE ledger.cycle_id = cycles.id),
    last_hash = (SELECT hash FROM ledger WHERE ledger.seq =
                 (SELECT MAX(seq) FROM ledger WHERE ledger.cycle_id = cycles.id))"""


def upgrade() -> None:
    settings = op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.bulk_insert(settings, [{"key": k, "value": v} for k, v in DEFAULTS.items()])
    with op.batch_alter_table("definitions") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False,
                                      server_default="published"))
    with op.batch_alter_table("actors") as batch_op:
        batch_op.add_column(sa.Column("disabled_on", sa.String(length=32), nullable=True))
    with op.batch_alter_table("delegations") as batch_op:
        batch_op.add_column(sa.Column("revoked_on", sa.String(length=32), nullable=True))
    with op.batch_alter_table("cycles") as batch_op:
        batch_op.add_column(sa.Column("last_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_hash", sa.String(length=64), nullable=True))
    op.execute(LAST_EVENT)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ledger ENABLE ALWAYS TRIGGER ledger_no_update")
        op.execute("ALTER TABLE ledger ENABLE ALWAYS TRIGGER ledger_no_truncate")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ledger ENABLE TRIGGER ledger_no_update")
        op.execute("ALTER TABLE ledger ENABLE TRIGGER ledger_no_truncate")
    with op.batch_alter_table("cycles") as batch_op:
        batch_op.drop_column("last_hash")
        batch_op.drop_column("last_seq")
    with op.batch_alter_table("delegations") as batch_op:
        batch_op.drop_column("revoked_on")
    with op.batch_alter_table("actors") as batch_op:
        batch_op.drop_column("disabled_on")
    with op.batch_alter_table("definitions") as batch_op:
        batch_op.drop_column("status")
    op.drop_table("settings")
