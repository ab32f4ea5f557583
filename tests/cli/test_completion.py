"""Shell completion: groups, cycle ids, the steps a cycle can take now, definition ids, cluster
names; and nothing at all (never a traceback, never a new file) without a database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.helpers import start
from tests.conftest import CLUSTER
from thidua.cli.main import GROUPS, root
from thidua.workflow.services.db import Database


def complete(words: str, *, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """What zsh would be offered for the command line ``words`` (the last word being typed):
    (value, help) pairs."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    result = CliRunner().invoke(root, [], prog_name="thidua", env={
        "_THIDUA_COMPLETE": "zsh_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword),
        **(env or {})})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output, result.output
    lines = result.output.splitlines() if result.output.strip() else []
    # zsh_complete prints three lines per item: type, value, help ("_" when there is none).
    return [(lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]


def values(words: str, **kwargs: dict[str, str]) -> list[str]:
    """Only the offered values."""
    return [value for value, _ in complete(words, **kwargs)]


@pytest.fixture
def cycle(populated: Database) -> int:
    """Cluster 5's 2023 cycle, just started (its first step, launch, is possible now)."""
    return start(populated)


def test_groups_complete_with_their_help() -> None:
    """`thidua <TAB>` offers every command group with its one-line help."""
    offered = dict(complete("thidua "))
    assert list(offered) == list(GROUPS)
    assert offered["cycle"] == GROUPS["cycle"][1]


def test_a_prefix_narrows_groups_and_options() -> None:
    """`thidua cy<TAB>` offers cycle; `thidua --l<TAB>` offers --lang."""
    assert values("thidua cy") == ["cycle"]
    assert values("thidua --l") == ["--lang"]


def test_commands_of_a_group_complete() -> None:
    """`thidua cycle <TAB>` offers the cycle commands."""
    assert {"start", "fire", "show", "why", "history"} <= set(values("thidua cycle "))


def test_cycle_ids_complete_with_cluster_period_and_state(db_url: str, cycle: int) -> None:
    """`cycle show <TAB>` offers each cycle id, with its cluster, year and state as help."""
    offered = complete(f"thidua --db {db_url} cycle show ")
    assert offered == [(str(cycle), f"{CLUSTER} 2023 constituted")]


def test_cycle_ids_come_from_thidua_db_too(db_url: str, cycle: int) -> None:
    """Without --db the database named by THIDUA_DB is read."""
    assert values("thidua audit log --cycle ", env={"THIDUA_DB": db_url}) == [str(cycle)]


def test_triggers_available_now_complete(db_url: str, cycle: int) -> None:
    """`cycle fire ID <TAB>` offers the steps possible from the cycle's state, labelled."""
    offered = dict(complete(f"thidua --db {db_url} --lang en cycle fire {cycle} "))
    assert "launch" in offered
    assert "sign_compact" not in offered  # not from this state
    assert offered["launch"].startswith("Launch")


def test_triggers_complete_for_why_too(db_url: str, cycle: int) -> None:
    """`cycle why ID <TAB>` offers the same steps, narrowed by the prefix."""
    assert values(f"thidua --db {db_url} cycle why {cycle} la") == ["launch"]


def test_definition_ids_complete() -> None:
    """`cycle start -d <TAB>` offers the shipped definitions, as id and id@version."""
    offered = values("thidua cycle start -d ")
    assert "ccb-cluster-annual" in offered
    assert any(v.startswith("ccb-cluster-annual@") for v in offered)
    assert values("thidua def show ccb-cluster-annual@") == [
        v for v in offered if v.startswith("ccb-cluster-annual@")]


def test_cluster_names_complete(db_url: str, populated: Database) -> None:
    """`cycle start -c <TAB>` offers cluster names, Vietnamese prefixes included."""
    assert values(f"thidua --db {db_url} cycle start -c ") == [CLUSTER]
    assert values(f"thidua --db {db_url} cluster show Cụ") == [CLUSTER]
    assert values(f"thidua --db {db_url} cluster show X") == []


@pytest.mark.parametrize("words", [
    "thidua --db {missing} cycle show ",
    "thidua --db {missing} cycle fire 1 ",
    "thidua --db {missing} cycle start -c ",
    "thidua --db postgresql://nobody@127.0.0.1:1/none cycle show ",
    "thidua --db {empty} cycle show ",
])
def test_no_database_offers_nothing_and_creates_nothing(words: str, tmp_path: Path) -> None:
    """Without a (current) database, completion offers nothing, fails not, creates no file."""
    missing, empty = tmp_path / "missing.db", tmp_path / "empty.db"
    empty.touch()  # an empty file: no schema
    assert complete(words.format(missing=missing, empty=empty)) == []
    assert not missing.exists()
    assert empty.stat().st_size == 0


def test_a_cycle_that_does_not_exist_offers_no_trigger(db_url: str, cycle: int) -> None:
    """`cycle fire 999 <TAB>` offers nothing (and does not fail)."""
    assert complete(f"thidua --db {db_url} cycle fire 999 ") == []


def test_readme_documents_the_completion_line() -> None:
    """The README tells how to turn completion on."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_THIDUA_COMPLETE=bash_source thidua)"' in readme
