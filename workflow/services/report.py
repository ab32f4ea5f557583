"""The account of a cycle: timeline, completion matrix, scoreboard, ballot, awards."""

from __future__ import annotations

from typing import Any

from thidua.workflow.engine import register
from thidua.workflow.rules.ballot import more_than, share
from thidua.workflow.services.db import Database
from thidua.workflow.services.meetings import meetings
from thidua.workflow.services.views import definition_for, enters_state, history, show
from thidua.workflow.timeutil import business_day


def cycle_report(db: Database, cycle_id: int, lang: str = "en") -> dict[str, Any]:
    """Everything a secretariat reports about cycle ``cycle_id``, as plain data; every date is
    the day in the database's business zone, as ``cycle history`` and ``state-at`` show it."""
    view = show(db, cycle_id)
    definition = definition_for(db, cycle_id).definition
    events = history(db, cycle_id)
    for event in events:
        event["day"] = business_day(event["occurred_at"], db.zone).isoformat()
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


def _proposals(facts: dict[str, Any], definition: Any, lang: str) -> list[dict[str, Any]]:
    """Each candidate proposed (units, then persons), the award sought and the council's
    vote on it."""
    votes = facts.get("council_votes") or {}
    found = [(u, "unit", u, p) for u, p in sorted((facts.get("proposal") or {}).items())]
    found += [(n, "person", (p.get("person") or {}).get("unit"), p)
              for n, p in sorted((facts.get("person_proposal") or {}).items())]
    return [{"unit": name, "candidate": name, "kind": kind, "of_unit": unit,
             "award": p.get("award"),
             "label": definition.awards[p["award"]].label.get(lang)
             if p.get("award") in definition.awards else p.get("award"),
             "achievements": p.get("achievements"),
             "council": votes.get(name)} for name, kind, unit, p in found]


def _criteria(definition: Any, lang: str) -> list[dict[str, Any]]:
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


def _timeline(events: list[dict[str, Any]], definition: Any, lang: str) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        if enters_state(e):
            # A state of another version (before a migration) is shown by its name.
            state = next((s for s in definition.states if s.name == e["to"]), None)
            rows.append({"state": e["to"],
                         "label": state.label.get(lang) if state and state.label else e["to"],
                         "entered": e["day"], "days": e.get("days_in_state")})
    return rows


def _matrix(definition: Any, facts: dict[str, Any],
            events: list[dict[str, Any]]) -> dict[str, Any]:
    steps = [t.records for t in definition.transitions if t.per_unit and not t.repeatable]
    units = sorted({e["unit"] for e in events if e["unit"]})
    return {"steps": steps,
            "units": {u: {s: u in (facts.get(s) or {}) for s in steps} for u in units}}


def _ballot(facts: dict[str, Any], definition: Any, members: list[str]) -> dict[str, Any] | None:
    ballot = facts.get("ballot")
    if ballot is None:
        return None
    threshold = share(definition.parameter_values().get("vote_threshold", "1/2"))
    counted = len(members)
    needed = more_than(threshold, counted)
    return {**{k: ballot.get(k) for k in ("ballots_issued", "ballots_returned", "ballots_valid",
                                          "next_head", "next_deputy")},
            "members": counted, "needed": needed,
            "candidates": [{"unit": u, "votes": n, "passed": int(n) >= needed}
                           for u, n in sorted((ballot.get("votes") or {}).items(),
                                              key=lambda item: -int(item[1]))]}
