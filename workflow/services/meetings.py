"""The meetings a cycle recorded (steps marked ``meeting: true``): place, days, chair,
presenters, speakers, who attended, minutes and plan, decisions, units leaving or joining."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from thidua.workflow.i18n import N_, _

if TYPE_CHECKING:
    from thidua.workflow.language.model import Definition
    from thidua.workflow.language.outline import Outline

# The parts of a meeting, in the order an account reads them.
PARTS = ("place", "starts_on", "ends_on", "chaired_by", "presented_by", "speakers",
         "attending_units", "attending_people", "minutes", "plan", "decisions", "leaving",
         "joining")


def span(starts_on: str | None, ends_on: str | None) -> str:
    """The meeting's days as Vietnamese documents write them: ``28–29/6/2023``."""
    if not starts_on:
        return ""
    first = dt.date.fromisoformat(starts_on)
    last = dt.date.fromisoformat(ends_on) if ends_on else first
    end = f"{last.day}/{last.month}/{last.year}"
    if first == last:
        return end
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{end}"
    if first.year == last.year:
        return f"{first.day}/{first.month}–{end}"
    return f"{first.day}/{first.month}/{first.year}–{end}"


def person_name(value: Any) -> Any:
    """A person as an input of type ``person`` records them (``{name, unit}``), by name."""
    return value.get("name") if isinstance(value, dict) else value


def meetings(definition: Definition | Outline, facts: dict[str, Any],
             lang: str = "en") -> list[dict[str, Any]]:
    """Each meeting recorded in ``facts``, in the order of the definition's steps (from its
    model or its outline)."""
    found: list[dict[str, Any]] = []
    for transition in definition.transitions:
        fact = facts.get(transition.records or "") if transition.meeting else None
        if not isinstance(fact, dict) or any(m["fact"] == transition.records for m in found):
            continue
        label = transition.label.get(lang) if transition.label else transition.trigger
        found.append({"step": transition.trigger, "fact": transition.records, "label": label,
                      "dates": span(fact.get("starts_on"), fact.get("ends_on")),
                      **{part: fact.get(part) for part in PARTS},
                      "chaired_by": person_name(fact.get("chaired_by"))})
    return found


def document_name(value: Any) -> str:
    """A recorded document (or a text) as an account names it."""
    if isinstance(value, dict):
        return f"{value.get('name')} (sha256 {str(value.get('sha256'))[:12]})"
    return "" if value is None else str(value)


def meeting_line(recorded: dict[str, Any]) -> str:
    """A meeting in one line: days, place, chair, presenters, speakers, units attending,
    units leaving and joining."""
    parts = [_("{days} at {place}, chaired by {chair}").format(
        days=span(recorded.get("starts_on"), recorded.get("ends_on")),
        place=recorded.get("place"), chair=person_name(recorded.get("chaired_by")))]
    for key, title in (("presented_by", N_("presented by {names}")),
                       ("speakers", N_("speakers {names}")),
                       ("attending_units", N_("units attending {names}")),
                       ("leaving", N_("farewell to {names}")),
                       ("joining", N_("joining {names}"))):
        if recorded.get(key):
            parts.append(_(title).format(names=", ".join(recorded[key])))
    return "; ".join(parts)
