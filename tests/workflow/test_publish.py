"""Publishing: immutable versions by content hash, ledgered; the version in force; pinning."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import CLUSTER, HAPPY_PATH, SECRETARY
from tests.replay import replayed_matches
from tests.revisions import MINI, SHIPPED, V1, revise, version_2
from thidua.store.models import Cycle, DefinitionRow
from thidua.workflow.audit.verify import log, verify
from thidua.workflow.errors import (
    InvalidDefinition,
    InvalidInput,
    NotFound,
    ScenariosFailed,
    TransitionRefused,
)
from thidua.workflow.language.loader import load_file
from thidua.workflow.services import directory, identity
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.publish import in_force, publish, versions
from thidua.workflow.services.views import show


def _events(db: Database) -> list[dict[str, object]]:
    return log(db)


def test_publish_stores_and_ledgers_the_version(db: Database, tmp_path: Path) -> None:
    """A published version is stored by its content hash, with who and when, in the ledger."""
    path = version_2(tmp_path)
    done = publish(db, path)
    loaded = load_file(path)
    assert (done.id, done.version, done.hash, done.new) == (
        "ccb-cluster-annual", "2024.1", loaded.hash, True)
    assert done.scenarios == len(loaded.definition.scenarios)
    [event] = [e for e in _events(db) if e["trigger"] == "publish"]
    assert (event["kind"], event["definition"], event["actor"]) == (
        "definition", loaded.hash, db.operator)
    assert event["inputs"] == {"id": "ccb-cluster-annual", "version": "2024.1",
                               "effective_from": "2024-01-01"}
    with db.transaction() as session:
        row = session.get(DefinitionRow, loaded.hash)
        assert row is not None and row.source == loaded.source
    verify(db)


def test_publishing_the_same_content_again_changes_nothing(db: Database, tmp_path: Path) -> None:
    """Identical content is a no-op: no new row, no new event, and it says so."""
    path = version_2(tmp_path)
    first = publish(db, path)
    before = len(_events(db))
    again = publish(db, path)
    assert again.new is False
    assert (again.hash, again.published_by, again.published_at) == (
        first.hash, first.published_by, first.published_at)
    assert len(_events(db)) == before


def test_an_administrator_publishes_in_their_name(populated: Database, tmp_path: Path) -> None:
    """Once the operator's person is an administrator, the ledger names them."""
    directory.add_actor(populated, "Nguyễn Văn An", unit_name=None, login=populated.operator)
    identity.grant(populated, "Nguyễn Văn An", "administrator", cluster_name=None)
    assert publish(populated, version_2(tmp_path)).published_by == "Nguyễn Văn An"


def test_others_may_not_publish(populated: Database, tmp_path: Path) -> None:
    """Once an administrator exists, another login's publication is refused."""
    directory.add_actor(populated, "Quản trị", unit_name=None, login="someone-else")
    identity.grant(populated, "Quản trị", "administrator", cluster_name=None)
    with pytest.raises(TransitionRefused):
        publish(populated, version_2(tmp_path))
    assert versions(populated) == []


def test_lint_errors_refuse_publication(db: Database, tmp_path: Path) -> None:
    """A definition with lint errors is refused (exit 2) and nothing is stored."""
    path = tmp_path / "bad.yaml"
    path.write_text(revise(MINI, ("    reason_required: true\n", "")), encoding="utf-8")
    with pytest.raises(InvalidDefinition) as raised:
        publish(db, path)
    assert raised.value.exit_code == 2
    assert "must require a written reason" in str(raised.value)
    assert versions(db) == []


def test_failing_scenarios_refuse_publication(db: Database, tmp_path: Path) -> None:
    """A definition whose scenarios fail is refused (exit 1) and nothing is stored."""
    path = tmp_path / "failing.yaml"
    path.write_text(revise(MINI, ("expect_state: review}", "expect_state: closed}")),
                    encoding="utf-8")
    with pytest.raises(ScenariosFailed) as raised:
        publish(db, path)
    assert raised.value.exit_code == 1
    assert versions(db) == []


def test_a_used_label_cannot_name_other_content(db: Database, tmp_path: Path) -> None:
    """Other content under an id@version already published is refused: a label names one
    content."""
    publish(db, version_2(tmp_path))
    other = tmp_path / "other"
    other.mkdir()
    changed = version_2(other)
    changed.write_text(changed.read_text(encoding="utf-8").replace(
        "Launch the year's plan", "Launch the plan of the year"), encoding="utf-8")
    with pytest.raises(InvalidInput, match="already published or shipped with other content"):
        publish(db, changed)


def test_in_force_without_publications_is_the_shipped_one(db: Database) -> None:
    """Nothing published: a cycle of any year starts on the shipped definition."""
    for period in (2022, 2023, 2030):
        assert in_force(db, "ccb-cluster-annual", period).ref == V1


def test_in_force_follows_effective_dates(db: Database, tmp_path: Path) -> None:
    """A version effective from 2024 is in force for 2024 on, not for 2023."""
    publish(db, version_2(tmp_path, effective="2024-01-01"))
    assert in_force(db, "ccb-cluster-annual", 2023).ref == V1
    assert in_force(db, "ccb-cluster-annual", 2024).ref == "ccb-cluster-annual@2024.1"
    assert in_force(db, "ccb-cluster-annual", 2025).ref == "ccb-cluster-annual@2024.1"


def test_a_published_version_wins_a_tie_with_the_shipped_one(db: Database,
                                                             tmp_path: Path) -> None:
    """Same effective date: the published version is in force, not the shipped one."""
    publish(db, version_2(tmp_path, effective="2023-01-01", label="2023.2"))
    assert in_force(db, "ccb-cluster-annual", 2023).ref == "ccb-cluster-annual@2023.2"


def test_named_versions_and_files(db: Database, tmp_path: Path) -> None:
    """id@version finds a published or shipped version; a file, even the shipped one, is
    refused (exit 2), saying how to try a draft."""
    path = version_2(tmp_path)
    publish(db, path)
    assert in_force(db, "ccb-cluster-annual@2024.1", 2023).ref == "ccb-cluster-annual@2024.1"
    assert in_force(db, V1, 2030).ref == V1
    for name in (str(SHIPPED), str(path)):
        with pytest.raises(InvalidInput, match="--draft FILE") as refused:
            in_force(db, name, 2030)
        assert refused.value.exit_code == 2
    with pytest.raises(NotFound):
        in_force(db, "ccb-cluster-annual@1999.1", 2023)
    with pytest.raises(NotFound):
        in_force(db, "no-such-definition", 2023)


def test_publishing_v2_leaves_a_running_cycle_on_v1(populated: Database,
                                                    tmp_path: Path) -> None:
    """A cycle started on v1 stays pinned to v1 after v2 is published, and keeps working;
    a new cycle of the same year starts on v2."""
    cycle_id = start_cycle(populated, in_force(populated, "ccb-cluster-annual", 2023), CLUSTER,
                           2023, actor=SECRETARY, occurred_at="2023-01-05").cycle_id
    v1_hash = show(populated, cycle_id).definition_hash
    v2 = version_2(tmp_path, effective="2023-01-01", label="2023.2")
    publish(populated, v2)
    for trigger, person, unit, inputs, reason in HAPPY_PATH[:8]:
        fire(populated, cycle_id, trigger, actor=person, unit=unit, inputs=inputs, reason=reason)
    view = show(populated, cycle_id)
    assert (view.definition, view.definition_hash, view.state) == (V1, v1_hash, "first_half")
    assert replayed_matches(populated, cycle_id)
    assert in_force(populated, "ccb-cluster-annual", 2023).hash == load_file(v2).hash


def test_versions_lists_stored_and_published(populated: Database, tmp_path: Path) -> None:
    """`versions` shows the shipped version stored by a start and the published one."""
    start_cycle(populated, in_force(populated, "ccb-cluster-annual", 2023), CLUSTER, 2023,
                actor=SECRETARY, occurred_at="2023-01-05")
    publish(populated, version_2(tmp_path))
    rows = versions(populated, "ccb-cluster-annual")
    assert [(v.version, v.published, v.cycles) for v in rows] == [
        ("2023.1", False, 1), ("2024.1", True, 0)]
    assert (rows[0].by, rows[1].by) == (SECRETARY, populated.operator)
    with populated.transaction() as session:
        assert len(list(session.scalars(select(Cycle)))) == 1
    with pytest.raises(NotFound):
        versions(populated, "no-such-definition")
