"""Drawing a definition, or a cycle on it, with the diagram support of ``transitions``.

``transitions.extensions.diagrams.GraphMachine`` writes the diagram: Mermaid through its own
mermaid backend (no dependency), DOT through the ``graphviz`` package (which only writes DOT
source; the Graphviz programs are needed only to render it to an image). For a cycle, the states
it went through are styled ``previous``, the current one ``active``, the steps it took are the
``previous`` edges (drawn in DOT; Mermaid has no edge styles), and each state visited carries
the days spent in it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
from dataclasses import dataclass
from typing import Any, Literal

from transitions import State
from transitions.extensions.diagrams import GraphMachine

from thidua.store import definitions as stored_definitions
from thidua.workflow.engine.judge import definition_of
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import InvalidInput
from thidua.workflow.i18n import _
from thidua.workflow.language.loader import Loaded
from thidua.workflow.services.publish import Opener, lookup
from thidua.workflow.services.views import DRAFT, enters_state, history
from thidua.workflow.timeutil import days, parse_stored
from thidua.workflow.timeutil import today as business_today

Format = Literal["mermaid", "dot"]
ENGINES: dict[str, Literal["graphviz", "mermaid"]] = {"mermaid": "mermaid", "dot": "graphviz"}


class LabelledState(State):
    """A state that carries the label the diagram shows."""

    def __init__(self, name: str, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.label = label or name


class DiagramMachine(GraphMachine):
    """A graph machine whose states carry labels."""

    state_cls = LabelledState


class _Model:
    """The object a diagram machine styles; it carries nothing but the state."""

    state: str


@dataclass(frozen=True)
class Drawing:
    """A diagram's source text, what it draws, and (for a cycle) the path taken."""

    format: str
    definition: str
    hash: str
    cycle: int | None
    state: str | None
    path: list[str]
    days: dict[str, float]
    source: str
    draft: bool = False  # a cycle's version that is a draft, never published: so titled


def draw(name: str, opener: Opener, *, fmt: Format = "mermaid", cycle_id: int | None = None,
         lang: str = "en", today: dt.date | None = None) -> Drawing:
    """The diagram of definition ``name`` or, with ``cycle_id``, of that cycle on its version."""
    if fmt == "dot" and importlib.util.find_spec("graphviz") is None:
        raise InvalidInput(_("--format dot needs the graphviz package: pip install graphviz"))
    if cycle_id is None:
        return render(lookup(name, opener), fmt=fmt, lang=lang)
    db = opener()
    with db.transaction(write=False) as session:
        cycle = load_cycle(session, cycle_id)
        loaded = definition_of(session, cycle.definition_hash)
        state = cycle.state
        draft = stored_definitions.status_of(session, cycle.definition_hash) == DRAFT
    if name not in (loaded.definition.id, loaded.ref, loaded.hash):
        raise InvalidInput(_("cycle {cycle_id} runs on {ref}, not {name}").format(
                               cycle_id=cycle_id, ref=loaded.ref, name=name))
    return render(loaded, fmt=fmt, lang=lang, cycle_id=cycle_id, state=state,
                  events=history(db, cycle_id), today=today or business_today(db.zone),
                  draft=draft)


def render(loaded: Loaded, *, fmt: Format = "mermaid", lang: str = "en",
           cycle_id: int | None = None, state: str | None = None,
           events: list[dict[str, Any]] | None = None, today: dt.date | None = None,
           draft: bool = False) -> Drawing:
    """Draw ``loaded``; with ``state`` and ``events``, highlight a cycle's path on it; a
    ``draft`` version is marked DRAFT in the title."""
    d = loaded.definition
    names = {s.name for s in d.states}
    path = [e["to"] for e in events or [] if enters_state(e) and e["to"] in names]
    finals = {s.name for s in d.states if s.final}
    days = _days(events or [], None if state in finals else state, today or dt.date.today())
    model = _Model()
    machine = DiagramMachine(
        model=model, states=[_state(s, lang, days) for s in d.states], initial=d.initial.name,
        auto_transitions=False, graph_engine=ENGINES[fmt],
        title=_title(d.title.get(lang) + (" — DRAFT, never published" if draft else ""), fmt))
    for t in d.transitions:
        machine.add_transition(t.trigger, list(t.source), t.dest)
    graph = machine.model_graphs[id(model)]
    graph.reset_styling()
    for before, after in itertools.pairwise(path):
        graph.set_previous_transition(before, after)
    if state is not None and state in names:
        graph.set_node_style(state, "active")
    source = model.get_graph().source  # type: ignore[attr-defined]
    return Drawing(fmt, loaded.ref, loaded.hash, cycle_id, state, path, days, str(source),
                   draft)


def _title(text: str, fmt: Format) -> str:
    # Mermaid reads the title from YAML front matter, which transitions writes as given.
    return f"title: {text!r}" if fmt == "mermaid" else text


def _state(state: Any, lang: str, days: dict[str, float]) -> dict[str, Any]:
    label = state.label.get(lang) if state.label is not None else state.name
    label = label.replace('"', "'")
    if state.name in days:
        label += f" ({days[state.name]:g} d)"
    return {"name": state.name, "label": label, "final": state.final}


def _days(events: list[dict[str, Any]], state: str | None, today: dt.date) -> dict[str, float]:
    """Days spent in each state visited, summed over visits; the current one (``state``, None
    for a final state) counts until ``today``."""
    spent: dict[str, dt.timedelta] = {}
    entries = [e for e in events if enters_state(e)]
    for event, following in zip(entries, [*entries[1:], None], strict=False):
        start = parse_stored(event["occurred_at"])
        if following is not None:
            end = parse_stored(following["occurred_at"])
        elif event["to"] == state:
            end = max(dt.datetime.combine(today, dt.time(), tzinfo=start.tzinfo), start)
        else:
            continue
        spent[event["to"]] = spent.get(event["to"], dt.timedelta()) + (end - start)
    return {name: days(span) for name, span in spent.items()}
