"""Compiled definitions: each stored definition version also in the form a step reads.

- ``compiled_definitions``: one row per definition version (same content hash), holding its
  resolved, validated model as canonical JSON and the ``format`` of that JSON. Steps and views
  read it instead of parsing the YAML source; ``audit verify`` recompiles every source and
  compares.
- The versions already stored are compiled here, by the compiler thidua hands over (see
  ``store.schema.upgrade``). Migrations run by hand without it leave them uncompiled: those
  versions are then parsed from their source when used, as before.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What thidua passes as the ``compile_definition`` attribute of the Alembic config: the source
# text of a version → (format, canonical JSON), or None for a source that does not compile.
Compiler = Callable[[str], "tuple[int, str] | None"]


def upgrade() -> None:
    compiled = op.create_table(
        "compiled_definitions",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["hash"], ["definitions.hash"]),
        sa.PrimaryKeyConstraint("hash"),
    )
    compiler: Compiler | None = context.config.attributes.get("compile_definition")
    if compiler is None:
        return
    rows = []
    for digest, source in op.get_bind().execute(sa.text("SELECT hash, source FROM definitions")):
        done = compiler(source) if isinstance(source, str) else None
        if done is not None:
            rows.append({"hash": digest, "format": done[0], "body": done[1]})
    if rows:
        op.bulk_insert(compiled, rows)


def downgrade() -> None:
    op.drop_table("compiled_definitions")
