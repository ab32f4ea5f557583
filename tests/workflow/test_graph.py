"""Graph: Mermaid and DOT drawn by transitions' diagram support, checked by structure."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from typing import Any

import pytest

from tests.conftest import CLUSTER, HEAD, SECRETARY
from tests.revisions import SHIPPED
from thidua.workflow.errors import InvalidInput
from thidua.workflow.language.loader import Loaded, load_file, shipped
from thidua.workflow.services.cycles import fire, start_cycle
from thidua.workflow.services.db import Database
from thidua.workflow.services.graph import draw, render

# Every statement transitions' Mermaid backend writes, as one pattern each.
MERMAID_LINE = [re.compile(p) for p in (
    r"^---$", r"^title: '.*'$", r"^stateDiagram-v2$", r"^direction LR$",
    r"^classDef s_[a-z]+ [a-z]+:[a-z]+(,[a-z]+:[a-z]+)*$", r"^$",
    r'^state "[^"]+" as [a-z][a-z0-9_]*$', r"^Class [a-z][a-z0-9_]* s_[a-z]+$",
    r"^[a-z][a-z0-9_]* --> [a-z][a-z0-9_]*: .+$", r"^\[\*\] --> [a-z][a-z0-9_]*$")]


def _never() -> Database:
    raise AssertionError("the database was opened")


def mermaid_structure(source: str) -> dict[str, Any]:
    """Check every line against the grammar above; return states, classes, edges, start."""
    lines = [line.strip() for line in source.splitlines()]
    assert lines[0] == "---" and lines[2] == "---" and lines[3] == "stateDiagram-v2"
    for line in lines:
        assert any(p.match(line) for p in MERMAID_LINE), f"not Mermaid: {line!r}"
    states = dict(re.findall(r'^\s*state "([^"]+)" as (\S+)$', source, flags=re.M))
    labels = {name: label for label, name in states.items()}
    defined = set(re.findall(r"^\s*classDef (s_[a-z]+) ", source, flags=re.M))
    classes = dict(re.findall(r"^\s*Class (\S+) (s_[a-z]+)$", source, flags=re.M))
    edges = {(a, b): set(t.split(" | "))
             for a, b, t in re.findall(r"^\s*(\S+) --> (\S+): (.+)$", source, flags=re.M)
             if a != "[*]"}
    starts = re.findall(r"^\s*\[\*\] --> (\S+)$", source, flags=re.M)
    assert set(classes.values()) <= defined
    assert {s for edge in edges for s in edge} <= set(labels)
    return {"labels": labels, "classes": classes, "edges": edges, "starts": starts}


@pytest.mark.parametrize("loaded", shipped(), ids=lambda d: d.definition.id)
def test_mermaid_has_every_state_and_transition(loaded: Loaded) -> None:
    """Every state once, labelled; every transition on its edge; the initial state marked."""
    d = loaded.definition
    drawing = render(loaded, fmt="mermaid", lang="vi")
    found = mermaid_structure(drawing.source)
    assert sorted(found["labels"]) == sorted(s.name for s in d.states)
    for state in d.states:
        assert found["labels"][state.name] == (state.label.vi if state.label else state.name)
    for t in d.transitions:
        for source in t.source:
            names = found["edges"][(source, t.dest or source)]
            assert (t.trigger if t.dest else f"{t.trigger} [internal]") in names
    assert found["starts"] == [d.initial.name]
    assert set(found["classes"].values()) == {"s_default"}
    assert f"title: '{d.title.vi}'" in drawing.source


def test_dot_has_every_state_and_transition() -> None:
    """DOT source from the graphviz package: a digraph with every node and edge."""
    loaded = load_file(SHIPPED)
    source = render(loaded, fmt="dot").source
    assert source.startswith('digraph "Annual cycle of an emulation cluster" {')
    for state in loaded.definition.states:
        assert re.search(rf"^\s*{state.name} \[label=", source, flags=re.M), state.name
    for t in loaded.definition.transitions:
        for source_state in t.source:
            assert f"{source_state} -> {t.dest or source_state} [label=" in source


def test_dot_without_the_graphviz_package_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the graphviz package, DOT is refused with what to install."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "graphviz" else real(name, *a))
    with pytest.raises(InvalidInput, match="pip install graphviz"):
        draw(str(SHIPPED), _never, fmt="dot")


def _dated_cycle(db: Database) -> int:
    loaded = load_file(SHIPPED)
    cycle_id = start_cycle(db, loaded, CLUSTER, 2023, actor=SECRETARY,
                           occurred_at="2023-01-05T09:00Z").cycle_id
    fire(db, cycle_id, "launch", actor=HEAD, inputs={"plan": "Kế hoạch"},
         occurred_at="2023-01-16T09:00Z")
    fire(db, cycle_id, "open_registration", actor=SECRETARY, occurred_at="2023-02-01T09:00Z")
    return cycle_id


def test_a_cycle_shows_its_path_state_and_days(populated: Database) -> None:
    """--cycle: the current state active, the states passed previous, days in each label."""
    cycle_id = _dated_cycle(populated)
    drawing = draw("ccb-cluster-annual", lambda: populated, cycle_id=cycle_id,
                   today=dt.date(2023, 2, 11))
    found = mermaid_structure(drawing.source)
    assert drawing.path == ["constituted", "launched", "registration_open"]
    assert drawing.days == {"constituted": 11.0, "launched": 16.0, "registration_open": 9.62}
    assert found["classes"]["registration_open"] == "s_active"
    assert found["classes"]["constituted"] == found["classes"]["launched"] == "s_previous"
    assert found["classes"]["closed"] == "s_default"
    assert found["labels"]["launched"] == "Launched (16 d)"
    assert found["labels"]["registration_open"] == "Registration open (9.62 d)"
    dot = draw("ccb-cluster-annual", lambda: populated, cycle_id=cycle_id, fmt="dot",
               today=dt.date(2023, 2, 11)).source
    assert re.search(r"constituted -> launched \[label=launch color=blue\]", dot)
    assert re.search(r"registration_open \[label=.* color=red", dot)


def test_a_cycle_of_another_definition_is_bad_input(populated: Database) -> None:
    """The NAME given with --cycle must be the cycle's definition."""
    cycle_id = _dated_cycle(populated)
    with pytest.raises(InvalidInput, match=r"runs on ccb-cluster-annual@2023\.1"):
        draw("ccb-cluster-annual-handover-at-summary", lambda: populated, cycle_id=cycle_id)


def test_a_file_is_drawn_without_a_database() -> None:
    """Drawing a definition file never opens the database."""
    assert "stateDiagram-v2" in draw(str(SHIPPED), _never).source
