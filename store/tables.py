"""The tables, as SQLAlchemy Core ``Table`` objects. Times are ISO 8601 strings in UTC: exact,
sortable and hashed as written.

The query modules build their statements on these, and the commands that only read import
nothing else of the store: not the ORM. :mod:`store.models` maps the ORM classes a step still
uses onto the same tables, and the Alembic migrations are held equal to them by a test.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()


# A definition version, identified by the SHA-256 of its source text.
definitions = Table(
    "definitions", metadata,
    Column("hash", String(64), primary_key=True),
    Column("def_id", String(64), index=True, nullable=False),
    Column("version", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("effective_from", String(10), nullable=False),
    Column("source", Text, nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("published_at", String(32), nullable=False),
    Column("status", String(16), default="published", server_default="published", nullable=False),
)

# A definition version in the form a step reads: its resolved, validated model as canonical
# JSON, kept beside the source under the same content hash. ``format`` names the shape of that
# JSON; a row of another format is not read (the source is parsed instead).
compiled_definitions = Table(
    "compiled_definitions", metadata,
    Column("hash", String(64), ForeignKey("definitions.hash"), primary_key=True),
    Column("format", Integer, nullable=False),
    Column("body", Text, nullable=False),
)

# A member unit (e.g. a provincial Veterans Association).
units = Table(
    "units", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), unique=True, nullable=False),
)

# A cluster (territorial) or block (sectoral) of units that compete.
clusters = Table(
    "clusters", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), unique=True, nullable=False),
    Column("kind", String(16), default="cluster", nullable=False),
)

# A unit's membership of a cluster, from one date until another (open if none).
memberships = Table(
    "memberships", metadata,
    Column("id", Integer, primary_key=True),
    Column("cluster_id", ForeignKey("clusters.id"), index=True, nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("joined_on", String(10), nullable=False),
    Column("left_on", String(10), nullable=True),
)

# The head and deputy of a cluster for one emulation year.
leaderships = Table(
    "leaderships", metadata,
    Column("id", Integer, primary_key=True),
    Column("cluster_id", ForeignKey("clusters.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("head_unit_id", ForeignKey("units.id"), nullable=False),
    Column("deputy_unit_id", ForeignKey("units.id"), nullable=True),
    UniqueConstraint("cluster_id", "period"),
)

# A registered person on whose authority steps are taken.
actors = Table(
    "actors", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), unique=True, nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=True),
    Column("login", String(200), unique=True, nullable=True),
    Column("disabled_on", String(32), nullable=True),
)

# A role held by a person, in one cluster (or all) and one period (or all).
grants = Table(
    "grants", metadata,
    Column("id", Integer, primary_key=True),
    Column("actor_id", ForeignKey("actors.id"), index=True, nullable=False),
    Column("role", String(64), nullable=False),
    Column("cluster_id", ForeignKey("clusters.id"), nullable=True),
    Column("period", Integer, nullable=True),
    Column("revoked_on", String(32), nullable=True),
)

# One cluster's cycle for one period, pinned to one definition version.
cycles = Table(
    "cycles", metadata,
    Column("id", Integer, primary_key=True),
    Column("definition_hash", ForeignKey("definitions.hash"), nullable=False),
    Column("cluster_id", ForeignKey("clusters.id"), index=True, nullable=False),
    Column("period", Integer, nullable=False),
    Column("state", String(64), index=True, nullable=False),
    Column("version", Integer, nullable=False),
    Column("facts", Text, nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("last_seq", Integer, nullable=True),
    Column("last_hash", String(64), nullable=True),
)

# An audit event. Append-only: database triggers refuse UPDATE and DELETE.
ledger = Table(
    "ledger", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("cycle_id", Integer, nullable=True, index=True),
    Column("cycle_version", Integer, nullable=True),
    Column("kind", String(32), nullable=False),
    Column("trigger", String(64), nullable=False),
    Column("from_state", String(64), nullable=True),
    Column("to_state", String(64), nullable=True),
    Column("actor", String(200), nullable=False),
    Column("operator", String(200), nullable=False),
    Column("role", String(64), nullable=True),
    Column("unit", String(200), nullable=True),
    Column("at", String(32), nullable=False),
    Column("occurred_at", String(32), nullable=False),
    Column("inputs", Text, nullable=False),
    Column("reason", Text, nullable=True),
    Column("documents", Text, nullable=False),
    Column("definition_hash", String(64), nullable=True),
    Column("idempotency_key", String(200), unique=True, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# A document attached to a step, stored by the SHA-256 of its content.
documents = Table(
    "documents", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(400), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# A change of head (and deputy) within a period, e.g. at the handover after the review.
leadership_changes = Table(
    "leadership_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("cluster_id", ForeignKey("clusters.id"), index=True, nullable=False),
    Column("period", Integer, nullable=False),
    Column("since", String(10), nullable=False),
    Column("head_unit_id", ForeignKey("units.id"), nullable=False),
    Column("deputy_unit_id", ForeignKey("units.id"), nullable=True),
)

# A unit absorbed into another on a date (e.g. Bắc Giang into Bắc Ninh in 2025).
mergers = Table(
    "mergers", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", ForeignKey("units.id"), unique=True, nullable=False),
    Column("into_unit_id", ForeignKey("units.id"), nullable=False),
    Column("merged_on", String(10), nullable=False),
)

# A login (OS account or database login) allowed to enter steps for a person.
delegations = Table(
    "delegations", metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(200), index=True, nullable=False),
    Column("actor_id", ForeignKey("actors.id"), nullable=False),
    Column("revoked_on", String(32), nullable=True),
    UniqueConstraint("login", "actor_id"),
)

# A setting of this database: its business time zone, its document size limit.
settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
