"""Rules over the award register: what a candidate was awarded in earlier years and cycles.

The register is every award line of every other cycle's decision (``Situation.history``), read
only when one of these rules is asked. A revoked line counts for nothing. These rules name the
candidate they refuse and the years or decisions concerned.
"""

from __future__ import annotations

from typing import Annotated, Any

from thidua.workflow import i18n
from thidua.workflow.i18n import _
from thidua.workflow.rules.candidates import PersonInput, award_label, candidate_of
from thidua.workflow.rules.registry import (
    FactName,
    InputName,
    ParameterName,
    Params,
    Situation,
    field_of,
)


def held(situation: Situation, name: str) -> list[dict[str, Any]]:
    """The award lines of the register held by candidate ``name`` (revoked ones left out)."""
    lines = situation.history() if situation.history is not None else ()
    return [line for line in lines if line["candidate"] == name and not line.get("revoked")]


def _applies(situation: Situation, award_input: str, for_award: str | None) -> bool:
    return for_award is None or situation.inputs.get(award_input) == for_award


class HeldParams(Params):
    """The award to have held, over how many previous years (a parameter), in each year or
    in any; optionally only when the award sought is ``for_award``."""

    held: str
    years: ParameterName
    each: bool = True
    for_award: str | None = None
    award: InputName = "award"
    person: PersonInput = None


def held_award(situation: Situation, params: HeldParams) -> list[str]:
    """The candidate held an award in each (or any) of the previous years."""
    candidate = candidate_of(situation, params.person)
    if candidate is None or situation.period is None or \
            not _applies(situation, params.award, params.for_award):
        return []
    count = int(situation.parameters[params.years])
    years = list(range(situation.period - count, situation.period))
    had = {line["period"] for line in held(situation, candidate.name)
           if line["award"] == params.held}
    label = award_label(situation, params.held, i18n.current())
    sought = award_label(situation, situation.inputs.get(params.award), i18n.current())
    lacking = [y for y in years if y not in had]
    if params.each and lacking:
        return [_("{name} lacks {label} in {years}: {sought} needs it in each of the previous "
                  "{count} years").format(name=candidate.name, label=label,
                                          years=", ".join(map(str, lacking)), sought=sought,
                                          count=count)]
    if not params.each and len(lacking) == len(years):
        return [_("{name} held {label} in none of the previous {count} years ({first}–{last}): "
                  "{sought} needs it").format(name=candidate.name, label=label, count=count,
                                             first=years[0], last=years[-1], sought=sought)]
    return []


class AgainParams(Params):
    """The award sought, and whether only the same award counts (default: any award, since an
    achievement is rewarded once and with one form)."""

    award: InputName = "award"
    same_award: bool = False
    person: PersonInput = None


def not_awarded_again(situation: Situation, params: AgainParams) -> list[str]:
    """The candidate was not awarded already for this year's achievement elsewhere."""
    candidate = candidate_of(situation, params.person)
    if candidate is None or situation.period is None:
        return []
    sought = situation.inputs.get(params.award)
    found = [line for line in held(situation, candidate.name)
             if line["period"] == situation.period
             and (not params.same_award or line["award"] == sought)]
    return [_("{name} was already awarded {award} for {period} (decision {decision}, line "
              "{line}): one achievement is rewarded once, with one form").format(
                  name=candidate.name,
                  award=award_label(situation, line["award"], i18n.current(),
                                    line.get("award_label")),
                  period=situation.period,
                  decision=line["decision"], line=line["id"]) for line in found]


class RatingParams(Params):
    """The rating needed, and the per-unit classification step's fact and rating field."""

    rating: str = "excellent"
    classification: FactName = "classification"
    rating_field: Annotated[str, field_of("classification")] = "rating"
    person: PersonInput = None


def rated(situation: Situation, params: RatingParams) -> list[str]:
    """The candidate's unit is rated so this year (a person: their unit)."""
    candidate = candidate_of(situation, params.person)
    if candidate is None:
        return []
    unit = candidate.unit or candidate.name
    record = (situation.facts.get(params.classification) or {}).get(unit)
    if record is None:
        refusal = (_("{name} has no rating for {period}; {rating} is needed")
                   if candidate.kind == "unit" else
                   _("{name}: their unit {unit} has no rating for {period}; {rating} is needed"))
    elif record.get(params.rating_field) != params.rating:
        refusal = (_("{name} is rated {rated} for {period}; {rating} is needed")
                   if candidate.kind == "unit" else
                   _("{name}: their unit {unit} is rated {rated} for {period}; {rating} is "
                     "needed"))
    else:
        return []
    return [refusal.format(name=candidate.name, unit=unit, period=situation.period,
                           rating=params.rating,
                           rated=(record or {}).get(params.rating_field))]
