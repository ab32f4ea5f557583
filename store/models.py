"""The tables. Times are ISO 8601 strings in UTC: exact, sortable and hashed as written."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every thidua table."""


class DefinitionRow(Base):
    """A definition version, identified by the SHA-256 of its source text."""

    __tablename__ = "definitions"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    def_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="published",
                                        server_default="published")


class CompiledDefinition(Base):
    """A definition version in the form a step reads: its resolved, validated model as
    canonical JSON, kept beside the source under the same content hash. ``format`` names the
    shape of that JSON; a row of another format is not read (the source is parsed instead)."""

    __tablename__ = "compiled_definitions"
    hash: Mapped[str] = mapped_column(String(64), ForeignKey("definitions.hash"),
                                      primary_key=True)
    format: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class Unit(Base):
    """A member unit (e.g. a provincial Veterans Association)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Cluster(Base):
    """A cluster (territorial) or block (sectoral) of units that compete."""

    __tablename__ = "clusters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="cluster")


class Membership(Base):
    """A unit's membership of a cluster, from one date until another (open if none)."""

    __tablename__ = "memberships"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    joined_on: Mapped[str] = mapped_column(String(10))
    left_on: Mapped[str | None] = mapped_column(String(10), nullable=True)


class Leadership(Base):
    """The head and deputy of a cluster for one emulation year."""

    __tablename__ = "leaderships"
    __table_args__ = (UniqueConstraint("cluster_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"))
    period: Mapped[int] = mapped_column(Integer)
    head_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    deputy_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)


class Actor(Base):
    """A registered person on whose authority steps are taken."""

    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    login: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    disabled_on: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Grant(Base):
    """A role held by a person, in one cluster (or all) and one period (or all)."""

    __tablename__ = "grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    role: Mapped[str] = mapped_column(String(64))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), nullable=True)
    period: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revoked_on: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Cycle(Base):
    """One cluster's cycle for one period, pinned to one definition version."""

    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_hash: Mapped[str] = mapped_column(ForeignKey("definitions.hash"))
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    facts: Mapped[str] = mapped_column(Text)
    started_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    last_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LedgerRow(Base):
    """An audit event. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "ledger"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cycle_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    cycle_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    at: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    documents: Mapped[str] = mapped_column(Text)
    definition_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Document(Base):
    """A document attached to a step, stored by the SHA-256 of its content."""

    __tablename__ = "documents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(400))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class LeadershipChange(Base):
    """A change of head (and deputy) within a period, e.g. at the handover after the review."""

    __tablename__ = "leadership_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    since: Mapped[str] = mapped_column(String(10))
    head_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    deputy_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)


class Merger(Base):
    """A unit absorbed into another on a date (e.g. Bắc Giang into Bắc Ninh in 2025)."""

    __tablename__ = "mergers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    into_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    merged_on: Mapped[str] = mapped_column(String(10))


class Delegation(Base):
    """A login (OS account or database login) allowed to enter steps for a person."""

    __tablename__ = "delegations"
    __table_args__ = (UniqueConstraint("login", "actor_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(200), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    revoked_on: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Setting(Base):
    """A setting of this database: its business time zone, its document size limit."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
