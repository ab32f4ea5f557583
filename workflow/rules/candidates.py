"""Candidates for an award: a member unit, or a person with their unit.

A proposal names each candidate once: a unit by the per-unit step ``propose``, a person by a
step keyed by its ``person`` input (the person as the directory holds them, with the unit they
belonged to when proposed). Every refusal starts with the candidate's name, so a secretariat
proposing several candidates sees which one is blocked and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from thidua.workflow import i18n
from thidua.workflow.i18n import _
from thidua.workflow.rules.registry import FactName, InputName, Params, Reads, Situation

# An input naming a person candidate; left out, the candidate is the unit of a per-unit step.
PersonInput = Annotated[str | None, Reads("input")]


@dataclass(frozen=True)
class Candidate:
    """Who is proposed: ``kind`` is ``unit`` or ``person``; ``unit`` is the unit's name, or
    the person's unit when proposed."""

    name: str
    kind: str
    unit: str | None


def candidate_of(situation: Situation, person: str | None) -> Candidate | None:
    """The candidate a step concerns: the person in input ``person`` when given, else the
    step's unit."""
    if person is not None:
        value = situation.inputs.get(person)
        if isinstance(value, dict) and value.get("name"):
            return Candidate(str(value["name"]), "person", value.get("unit"))
        return None
    if situation.unit:
        return Candidate(situation.unit, "unit", situation.unit)
    return None


def award_label(situation: Situation, award: str | None, lang: str = "en",
                default: str | None = None) -> str:
    """How an award of the catalogue reads in ``lang`` (English: the label the register
    stores), or ``default``, or its name."""
    definition = situation.definition
    if definition is not None and award in definition.awards:
        return str(definition.awards[award].label.get(lang))
    return default if default is not None else str(award)


class CandidateParams(Params):
    """The candidate (a person input, or the step's unit), the award sought, registration."""

    person: PersonInput = None
    award: InputName = "award"
    registration: FactName = "registration"


def candidate_eligible(situation: Situation, params: CandidateParams) -> list[str]:
    """The award is given to candidates of this kind, and a person belongs to a member unit
    that registered for the emulation (no registration, no eligibility)."""
    candidate = candidate_of(situation, params.person)
    if candidate is None:
        return []
    reasons = []
    definition, award = situation.definition, situation.inputs.get(params.award)
    if definition is not None and award in definition.awards and \
            candidate.kind not in definition.awards[award].recipients:
        given = (_("{name}: {award} is not given to individuals") if candidate.kind == "person"
                 else _("{name}: {award} is not given to units"))
        reasons.append(given.format(name=candidate.name,
                                    award=award_label(situation, award, i18n.current())))
    if candidate.kind == "person":
        reasons += _person_unit(situation, candidate, params.registration)
    return reasons


def _person_unit(situation: Situation, candidate: Candidate, registration: str) -> list[str]:
    if candidate.unit is None:
        return [_("{name} belongs to no unit: a person is proposed with their unit").format(
            name=candidate.name)]
    if candidate.unit not in situation.members:
        return [_("{name}: their unit {unit} is not a member unit of the cluster").format(
            name=candidate.name, unit=candidate.unit)]
    if candidate.unit not in (situation.facts.get(registration) or {}):
        return [_("{name}: their unit {unit} did not register for the emulation: no "
                  "registration, no eligibility").format(name=candidate.name,
                                                         unit=candidate.unit)]
    return []


class ProposedParams(Params):
    """The input naming a candidate, and the facts holding the units and persons proposed."""

    candidate: InputName = "candidate"
    units: FactName = "proposal"
    persons: Annotated[str | None, Reads("fact")] = "person_proposal"


def proposals(situation: Situation, units: str, persons: str | None) -> dict[str, Any]:
    """Every candidate proposed so far, by name: the fact recorded for it, with ``kind``."""
    found = {name: {**p, "kind": "unit", "unit": name}
             for name, p in (situation.facts.get(units) or {}).items()}
    for name, p in (situation.facts.get(persons or "") or {}).items():
        person = next((v for v in p.values() if isinstance(v, dict) and v.get("name") == name),
                      {})
        found.setdefault(name, {**p, "kind": "person", "unit": person.get("unit")})
    return found


def candidate_proposed(situation: Situation, params: ProposedParams) -> list[str]:
    """The candidate named was proposed (a unit, or a person)."""
    name = situation.inputs.get(params.candidate)
    if name is None or name in proposals(situation, params.units, params.persons):
        return []
    return [_("{name} was not proposed: the council votes only on proposed candidates").format(
        name=name)]
