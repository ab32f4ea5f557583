"""Compiled definitions: stored with each version, read by steps and views instead of the YAML,
checked by ``audit verify`` against the source, and added to versions stored before them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from tests.cli.helpers import advance, error, ok, start
from tests.conftest import Invoke
from thidua.store import schema
from thidua.workflow.engine import judge
from thidua.workflow.language import compiled, loader
from thidua.workflow.services import admin
from thidua.workflow.services.db import Database
from thidua.workflow.services.views import show


@pytest.mark.parametrize("loaded", loader.shipped(), ids=lambda loaded: loaded.ref)
def test_compiled_form_builds_back_the_same_definition(loaded: loader.Loaded) -> None:
    """Every shipped definition, compiled and built back, equals the parsed one, and compiles
    again to the same text."""
    body = compiled.compile_loaded(loaded)
    again = compiled.load(body, source=loaded.source, content_hash=loaded.hash, file="x")
    assert again.definition == loaded.definition
    assert compiled.compile_loaded(again) == body
    assert compiled.compile_source(loaded.source) == (compiled.FORMAT, body)


def test_a_source_that_is_no_definition_does_not_compile() -> None:
    """A stored text that is not a definition has no compiled form (verify names it)."""
    assert compiled.compile_source("id: [unclosed") is None
    assert compiled.compile_source("just text") is None


def _forget() -> None:
    """Forget the versions this process has read (as a new process would)."""
    judge._BY_HASH.clear()
    loader._parse_cached.cache_clear()


def _compiled_rows(db: Database) -> dict[str, tuple[int, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT hash, format, body FROM compiled_definitions"))
        return {digest: (fmt, body) for digest, fmt, body in rows}


def test_starting_a_cycle_stores_the_compiled_form(populated: Database) -> None:
    """The version a cycle starts on is stored with its compiled form, keyed by its hash."""
    start(populated)
    shipped = loader.find("ccb-cluster-annual")
    assert _compiled_rows(populated) == {
        shipped.hash: (compiled.FORMAT, compiled.compile_loaded(shipped))}


def test_views_and_steps_read_the_compiled_form(populated: Database) -> None:
    """A process that has parsed nothing reads a cycle's version from its compiled form: no
    YAML is parsed to show the cycle or to take a step."""
    cycle = start(populated)
    _forget()
    view = show(populated, cycle)
    advance(populated, cycle, until="sign_compact")
    assert view.definition == "ccb-cluster-annual@2023.1"
    assert loader._parse_cached.cache_info().misses == 0


def test_a_compiled_form_of_another_format_is_not_read(populated: Database) -> None:
    """A row of another format (an older thidua's) is ignored: the source is parsed instead,
    and verify does not hold it against the database."""
    cycle = start(populated)
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE compiled_definitions SET format = 0, body = '{}'"))
    _forget()
    assert show(populated, cycle).state == "constituted"
    assert loader._parse_cached.cache_info().currsize > 0


FORGERIES = [
    pytest.param(lambda body: body.replace('"roles":["cluster_head","secretariat"]',
                                           '"roles":["member_unit"]', 1), id="roles"),
    pytest.param(lambda body: json.dumps({**json.loads(body), "title": {"vi": "x", "en": "y"}},
                                         sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False), id="title"),
    pytest.param(lambda body: body + " ", id="whitespace"),
]


@pytest.mark.attack
@pytest.mark.parametrize("forge", FORGERIES)
def test_a_forged_compiled_form_fails_verify(populated: Database, cli: Invoke,
                                             forge: object) -> None:
    """A compiled form changed in the database, however slightly, makes verify exit 4 naming
    the definition, while its source still hashes right."""
    cycle = start(populated)
    advance(populated, cycle, until="register")
    ok(cli("audit", "verify"))
    (digest, (_, body)), = _compiled_rows(populated).items()
    forged = forge(body)  # type: ignore[operator]
    assert forged != body
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE compiled_definitions SET body = :body"), {"body": forged})
    line = error(cli("audit", "verify"), 4)
    assert f"compiled form of definition {digest[:12]}" in line
    assert "not what its source compiles to" in line
    assert "Error" in error(cli("audit", "verify", "--fast"), 4)


def test_a_compiled_form_that_no_longer_reads_is_an_integrity_failure(
        populated: Database, cli: Invoke) -> None:
    """A compiled form that is not JSON is refused by a step (exit 4), nothing recorded."""
    cycle = start(populated)
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE compiled_definitions SET body = 'not json'"))
    _forget()
    for args in (("cycle", "show", str(cycle)), ("cycle", "why", str(cycle))):
        line = error(cli(*args), 4)
        assert "compiled form of stored definition" in line


def test_a_report_refuses_a_compiled_form_whose_awards_no_longer_read(
        populated: Database, cli: Invoke) -> None:
    """A compiled form whose award has lost its label (valid JSON still) is refused by the
    report and by show (exit 4, one line), not an internal error."""
    cycle = start(populated)
    (digest, (_, body)), = _compiled_rows(populated).items()
    data = json.loads(body)
    data["awards"][next(iter(data["awards"]))]["label"] = None
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE compiled_definitions SET body = :body"),
                     {"body": json.dumps(data)})
    _forget()
    for args in (("report", "cycle", str(cycle)), ("cycle", "show", str(cycle))):
        line = error(cli(*args), 4)
        assert f"compiled form of stored definition {digest[:12]} no longer reads" in line


def _records_a_list(data: dict[str, Any]) -> str:
    step = next(t for t in data["transitions"] if t.get("per_unit") and t.get("records"))
    step["records"] = [step["records"]]
    return "compiled form of stored definition"


def _threshold_not_a_share(data: dict[str, Any]) -> str:
    data["parameters"]["vote_threshold"]["value"] = "1/0"
    return "the parameter vote_threshold of stored definition"


@pytest.mark.parametrize("alter", [_records_a_list, _threshold_not_a_share],
                         ids=["records", "vote-threshold"])
def test_a_report_refuses_a_compiled_form_whose_steps_or_threshold_no_longer_read(
        populated: Database, cli: Invoke, alter: Any) -> None:
    """A compiled form whose per-unit step records a list, or whose vote threshold is no
    share, is refused by the report of a cycle past its ballot: exit 4 in one line, not an
    internal error."""
    cycle = start(populated)
    advance(populated, cycle, until="propose")
    (_, (_, body)), = _compiled_rows(populated).items()
    data = json.loads(body)
    said = alter(data)
    with populated.engine.begin() as conn:
        conn.execute(text("UPDATE compiled_definitions SET body = :body"),
                     {"body": json.dumps(data)})
    _forget()
    for args in (("report", "cycle", str(cycle)), ("report", "cycle", str(cycle), "--format",
                                                   "markdown")):
        line = error(cli(*args), 4)
        assert said in line and "changed outside thidua" in line


def test_upgrade_compiles_the_versions_stored_before(populated: Database) -> None:
    """Migration 0006 compiles every definition version already stored (when thidua runs it)."""
    start(populated)
    before = _compiled_rows(populated)
    with populated.engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), "0004")
    assert admin.upgrade_db(populated) == schema.HEAD
    assert _compiled_rows(populated) == before != {}
