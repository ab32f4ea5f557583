"""The ORM classes the step path still works with, each mapped onto its table in
:mod:`store.tables` (where the columns are declared, once)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase, Mapped

from thidua.store import tables


class Base(DeclarativeBase):
    """Declarative base of every thidua table."""

    metadata = tables.metadata


class DefinitionRow(Base):
    """A definition version, identified by the SHA-256 of its source text."""

    __table__ = tables.definitions
    hash: Mapped[str]
    def_id: Mapped[str]
    version: Mapped[str]
    title: Mapped[str]
    effective_from: Mapped[str]
    source: Mapped[str]
    published_by: Mapped[str]
    published_at: Mapped[str]
    status: Mapped[str]


class CompiledDefinition(Base):
    """A definition version in the form a step reads: its resolved, validated model as
    canonical JSON, kept beside the source under the same content hash. ``format`` names the
    shape of that JSON; a row of another format is not read (the source is parsed instead)."""

    __table__ = tables.compiled_definitions
    hash: Mapped[str]
    format: Mapped[int]
    body: Mapped[str]


class Unit(Base):
    """A member unit (e.g. a provincial Veterans Association)."""

    __table__ = tables.units
    id: Mapped[int]
    name: Mapped[str]


class Cluster(Base):
    """A cluster (territorial) or block (sectoral) of units that compete."""

    __table__ = tables.clusters
    id: Mapped[int]
    name: Mapped[str]
    kind: Mapped[str]


class Membership(Base):
    """A unit's membership of a cluster, from one date until another (open if none)."""

    __table__ = tables.memberships
    id: Mapped[int]
    cluster_id: Mapped[int]
    unit_id: Mapped[int]
    joined_on: Mapped[str]
    left_on: Mapped[str | None]


class Leadership(Base):
    """The head and deputy of a cluster for one emulation year."""

    __table__ = tables.leaderships
    id: Mapped[int]
    cluster_id: Mapped[int]
    period: Mapped[int]
    head_unit_id: Mapped[int]
    deputy_unit_id: Mapped[int | None]


class Actor(Base):
    """A registered person on whose authority steps are taken."""

    __table__ = tables.actors
    id: Mapped[int]
    name: Mapped[str]
    unit_id: Mapped[int | None]
    login: Mapped[str | None]
    disabled_on: Mapped[str | None]


class Grant(Base):
    """A role held by a person, in one cluster (or all) and one period (or all)."""

    __table__ = tables.grants
    id: Mapped[int]
    actor_id: Mapped[int]
    role: Mapped[str]
    cluster_id: Mapped[int | None]
    period: Mapped[int | None]
    revoked_on: Mapped[str | None]


class Cycle(Base):
    """One cluster's cycle for one period, pinned to one definition version."""

    __table__ = tables.cycles
    id: Mapped[int]
    definition_hash: Mapped[str]
    cluster_id: Mapped[int]
    period: Mapped[int]
    state: Mapped[str]
    version: Mapped[int]
    facts: Mapped[str]
    started_at: Mapped[str]
    updated_at: Mapped[str]
    last_seq: Mapped[int | None]
    last_hash: Mapped[str | None]


class LedgerRow(Base):
    """An audit event. Append-only: database triggers refuse UPDATE and DELETE."""

    __table__ = tables.ledger
    seq: Mapped[int]
    cycle_id: Mapped[int | None]
    cycle_version: Mapped[int | None]
    kind: Mapped[str]
    trigger: Mapped[str]
    from_state: Mapped[str | None]
    to_state: Mapped[str | None]
    actor: Mapped[str]
    operator: Mapped[str]
    role: Mapped[str | None]
    unit: Mapped[str | None]
    at: Mapped[str]
    occurred_at: Mapped[str]
    inputs: Mapped[str]
    reason: Mapped[str | None]
    documents: Mapped[str]
    definition_hash: Mapped[str | None]
    idempotency_key: Mapped[str | None]
    prev_hash: Mapped[str]
    hash: Mapped[str]


class Document(Base):
    """A document attached to a step, stored by the SHA-256 of its content."""

    __table__ = tables.documents
    sha256: Mapped[str]
    name: Mapped[str]
    size: Mapped[int]
    content: Mapped[bytes]


class LeadershipChange(Base):
    """A change of head (and deputy) within a period, e.g. at the handover after the review."""

    __table__ = tables.leadership_changes
    id: Mapped[int]
    cluster_id: Mapped[int]
    period: Mapped[int]
    since: Mapped[str]
    head_unit_id: Mapped[int]
    deputy_unit_id: Mapped[int | None]


class Merger(Base):
    """A unit absorbed into another on a date (e.g. Bắc Giang into Bắc Ninh in 2025)."""

    __table__ = tables.mergers
    id: Mapped[int]
    unit_id: Mapped[int]
    into_unit_id: Mapped[int]
    merged_on: Mapped[str]


class Delegation(Base):
    """A login (OS account or database login) allowed to enter steps for a person."""

    __table__ = tables.delegations
    id: Mapped[int]
    login: Mapped[str]
    actor_id: Mapped[int]
    revoked_on: Mapped[str | None]


class Setting(Base):
    """A setting of this database: its business time zone, its document size limit."""

    __table__ = tables.settings
    key: Mapped[str]
    value: Mapped[str]
