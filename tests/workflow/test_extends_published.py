"""An extending definition published, started and verified: the resolved text is what is
stored and hashed; a published version can be a base where the database is at hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.revisions import version_2
from thidua.store.models import DefinitionRow
from thidua.workflow.audit.verify import log, verify
from thidua.workflow.errors import InvalidDefinition
from thidua.workflow.language.loader import content_hash, load_file, shipped_dir
from thidua.workflow.services.db import Database
from thidua.workflow.services.publish import in_force, publish

VARIANT = shipped_dir() / "ccb-cluster-annual-handover-at-summary.yaml"


def _extending_2024(folder: Path) -> Path:
    path = folder / "annual-2024.2.yaml"
    path.write_text('extends: ccb-cluster-annual@2024.1\nversion: "2024.2"\n'
                    "parameters:\n  vote_quorum: {value: 0.75}\n", encoding="utf-8")
    return path


def test_publishing_stores_the_resolved_text_under_its_hash(db: Database) -> None:
    """The stored source is the resolved text, hashing to the stored hash; the ledger event
    names the base; audit verify re-hashes it."""
    done = publish(db, VARIANT)
    loaded = load_file(VARIANT)
    with db.transaction() as session:
        row = session.get(DefinitionRow, done.hash)
        assert row is not None and row.source == loaded.source
        assert content_hash(row.source) == row.hash == loaded.hash
        assert "extends:" not in row.source
    base = {"ref": "ccb-cluster-annual@2023.1", "hash": load_file(
        shipped_dir() / "ccb-cluster-annual.yaml").hash}
    assert done.based_on == base
    [event] = [e for e in log(db) if e["trigger"] == "publish"]
    assert event["inputs"]["based_on"] == base
    verify(db)


def test_a_published_version_can_be_extended_where_the_database_is_at_hand(
        db: Database, tmp_path: Path) -> None:
    """Extending a version published in this database: publishing and starting on the file
    resolve it; read without a database, the base is unknown."""
    v2 = publish(db, version_2(tmp_path))
    path = _extending_2024(tmp_path)
    done = publish(db, path)
    assert done.based_on == {"ref": "ccb-cluster-annual@2024.1", "hash": v2.hash}
    started = in_force(db, "ccb-cluster-annual@2024.2", 2024)
    assert (started.ref, started.hash) == ("ccb-cluster-annual@2024.2", done.hash)
    assert started.definition.parameters["vote_quorum"].value == 0.75
    with pytest.raises(InvalidDefinition, match=r"no shipped or published definition "
                                                r"ccb-cluster-annual@2024\.1 to extend"):
        load_file(path)


def test_only_published_versions_are_bases(db: Database, tmp_path: Path) -> None:
    """A version stored only because a cycle ran on a file is not a base to extend."""
    from thidua.workflow.services.publish import bases_in

    path = version_2(tmp_path)
    with db.transaction() as session:
        loaded = load_file(path)
        session.add(DefinitionRow(hash=loaded.hash, def_id="ccb-cluster-annual",
                                  version="2024.1", title="t", effective_from="2024-01-01",
                                  source=loaded.source, published_by="x", published_at="y"))
    with bases_in(lambda: db), pytest.raises(InvalidDefinition, match="no shipped or published"):
        load_file(_extending_2024(tmp_path))
