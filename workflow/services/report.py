"""The account of a cycle: timeline, completion matrix, scoreboard, ballot, awards.

Read in one read transaction on a bare connection, with the outline of the cycle's definition
version (:mod:`workflow.language.outline`): a report loads neither the ORM nor pydantic, the
rules or YAML."""

from __future__ import annotations

from typing import Any

from thidua.workflow.engine import register
from thidua.workflow.engine.rows import load_cycle
from thidua.workflow.errors import IntegrityFailure
from thidua.workflow.language.outline import Outline, outline_of
from thidua.workflow.language.parameters import as_fraction, more_than
from thidua.workflow.services.db import Database
from thidua.workflow.services.meetings import meetings
from thidua.workflow.services.views import enters_state, events_of, view_of
from thidua.workflow.timeutil import business_day
from thidua.workflow.timeutil import today as business_today


def cycle_report(db: Database, cycle_id: int, lang: str = "en") -> dict[str, Any]:
    """Everything a secretariat reports about cycle ``cycle_id``, as plain data; every date is
    the day in the database's business zone, as ``cycle history`` and ``state-at`` show it."""
    zone = db.zone  # read before the transaction below
    with db.reading() as conn:
        row = load_cycle(conn, cycle_id)
        definition = outline_of(conn, row.definition_hash)
        view = view_of(conn, row, definition, business_today(zone))
        events = events_of(conn, cycle_id)
    for event in events:
        event["day"] = business_day(event["occurred_at"], zone).isoformat()
    facts = view.facts
    return {
        "cycle": {"id": view.id, "cluster": view.cluster, "period": view.period,
                  "definition": view.definition, "draft": view.draft, "state": view.state,
                  "version": view.version,
                  "members": view.members, "head": view.head, "deputy": view.deputy},
        "timeline": _timeline(events, definition, lang),
        "steps": [{"date": e["day"], "trigger": e["trigger"], "actor": e["actor"],
                   "role": e["role"], "unit": e["unit"], "reason": e["reason"]}
                  for e in events],
        "meetings": meetings(definition, facts, lang),
        "matrix": _matrix(definition, facts, events),
        "criteria": _criteria(definition, lang),
        "scoreboard": (facts.get("scores") or {}).get("ranking", []),
        "corrections": facts.get("score_corrections", {}),
        "ballot": _ballot(facts, definition, view.members),
        "proposals": _proposals(facts, definition, lang),
        "decision": facts.get("decision"),
        "awards": list(register.lines_of(view.id, view.cluster, view.period, facts,
                                         register.awards_fact(definition))),
        "revocation": facts.get("revocation"),
    }


def _proposals(facts: dict[str, Any], definition: Outline, lang: str) -> list[dict[str, Any]]:
    """Each candidate proposed (units, then persons), the award sought and the council's
    vote on it."""
    votes = facts.get("council_votes") or {}
    found = [(u, "unit", u, p) for u, p in sorted((facts.get("proposal") or {}).items())]
    found += [(n, "person", (p.get("person") or {}).get("unit"), p)
              for n, p in sorted((facts.get("person_proposal") or {}).items())]
    return [{"unit": name, "candidate": name, "kind": kind, "of_unit": unit,
             "award": p.get("award"),
             "label": definition.awards[p["award"]].get(lang)
             if p.get("award") in definition.awards else p.get("award"),
             "achievements": p.get("achievements"),
             "council": votes.get(name)} for name, kind, unit, p in found]


def _criteria(definition: Outline, lang: str) -> list[dict[str, Any]]:
    """The score sheet's criteria, then its bonus and penalty: id, label and most points."""
    sheet = definition.score_sheet
    if sheet is None:
        return []
    rows = [{"id": c.id, "label": c.label.get(lang), "max": c.max}
            for c in sheet.criteria]
    extra = {"bonus": ("Điểm thưởng", "Bonus"), "penalty": ("Điểm trừ", "Penalty")}
    return rows + [{"id": key, "label": extra[key][lang != "vi"], "max": most}
                   for key, most in (("bonus", sheet.bonus_max), ("penalty", sheet.penalty_max))
                   if most]


def _timeline(events: list[dict[str, Any]], definition: Outline,
              lang: str) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        if enters_state(e):
            # A state of another version (before a migration) is shown by its name.
            state = definition.states.get(e["to"])
            rows.append({"state": e["to"],
                         "label": state.label.get(lang) if state and state.label else e["to"],
                         "entered": e["day"], "days": e.get("days_in_state")})
    return rows


def _matrix(definition: Outline, facts: dict[str, Any],
            events: list[dict[str, Any]]) -> dict[str, Any]:
    steps = [t.records for t in definition.transitions if t.per_unit and not t.repeatable]
    units = sorted({e["unit"] for e in events if e["unit"]})
    return {"steps": steps,
            "units": {u: {s: u in (facts.get(s) or {}) for s in steps} for u in units}}


def _ballot(facts: dict[str, Any], definition: Outline,
            members: list[str]) -> dict[str, Any] | None:
    ballot = facts.get("ballot")
    if ballot is None:
        return None
    try:
        threshold = as_fraction(definition.parameter_values().get("vote_threshold", "1/2"))
    except (ValueError, TypeError):  # the definition's checks allow no other share
        raise IntegrityFailure(f"the parameter vote_threshold of stored definition "
                               f"{definition.ref} no longer reads: it was changed outside "
                               "thidua; run thidua audit verify", kind="altered") from None
    counted = len(members)
    needed = more_than(threshold, counted)
    return {**{k: ballot.get(k) for k in ("ballots_issued", "ballots_returned", "ballots_valid",
                                          "next_head", "next_deputy")},
            "members": counted, "needed": needed,
            "candidates": [{"unit": u, "votes": n, "passed": int(n) >= needed}
                           for u, n in sorted((ballot.get("votes") or {}).items(),
                                              key=lambda item: -int(item[1]))]}
