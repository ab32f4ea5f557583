"""Cross-inspection (kiểm tra chéo): the secretariat assigns each inspecting unit the unit it
inspects; the inspecting unit records its findings and any proposed score change, with a
reason; the inspected unit answers each proposed change; the scores are not published while a
proposed change is unanswered.

Facts: ``inspection_assignment`` by inspecting unit (``inspects``); ``cross_inspection`` by
inspecting unit, a list of records (``inspected``, ``findings``, ``criterion``, ``points``);
``inspection_answer`` by inspected unit, a list of answers. The n-th answer of a unit answers
the n-th proposed change made to it, in the order they were recorded.
"""

from __future__ import annotations

from typing import Annotated, Any

from thidua.workflow.i18n import _
from thidua.workflow.rules.registry import (
    FactName,
    Facts,
    InputName,
    Params,
    Situation,
    field_of,
)


class AssignParams(Params):
    """The input naming the unit to inspect."""

    inspects: InputName = "inspects"


def inspection_pair(situation: Situation, params: AssignParams) -> list[str]:
    """The inspected unit is another member unit of the cluster."""
    inspected = situation.inputs.get(params.inspects)
    if inspected is None:
        return []
    if inspected not in situation.members:
        return [_("{unit} is not a member unit of the cluster: it cannot be inspected").format(
            unit=inspected)]
    if inspected == situation.unit:
        return [_("{unit} cannot inspect itself: cross-inspection is by another unit").format(
            unit=inspected)]
    return []


class InspectionParams(Params):
    """Where assignments, inspections and answers are recorded, and the inputs read."""

    assignment: FactName = "inspection_assignment"
    inspects: Annotated[str, field_of("assignment")] = "inspects"
    inspection: FactName = "cross_inspection"
    inspected: Annotated[str, field_of("inspection")] = "inspected"
    criterion: Annotated[str, field_of("inspection")] = "criterion"
    points: Annotated[str, field_of("inspection")] = "points"
    answer: FactName = "inspection_answer"


class ProposedParams(InspectionParams):
    """The facts above, and the inputs of the inspection being recorded."""

    inspected_input: InputName = "inspected"
    criterion_input: InputName = "criterion"
    points_input: InputName = "points"


def inspection_assigned(situation: Situation, params: ProposedParams) -> list[str]:
    """The inspecting unit inspects the unit it was assigned; a proposed score change names a
    criterion of the score sheet and its points, and gives a reason."""
    inputs, unit = situation.inputs, situation.unit
    inspected = inputs.get(params.inspected_input)
    assigned = ((situation.facts.get(params.assignment) or {}).get(unit) or {}).get(
        params.inspects)
    reasons = []
    if assigned is None:
        reasons.append(_("{unit} has not been assigned a unit to inspect").format(unit=unit))
    elif inspected is not None and inspected != assigned:
        reasons.append(_("{unit} was assigned to inspect {assigned}, not {inspected}").format(
            unit=unit, assigned=assigned, inspected=inspected))
    criterion, points = inputs.get(params.criterion_input), inputs.get(params.points_input)
    if (criterion is None) != (points is None):
        reasons.append(_("a proposed score change gives both the criterion and the points"))
    elif criterion is not None:
        sheet = situation.definition.score_sheet if situation.definition else None
        if sheet is not None and sheet.criterion(criterion) is None:
            reasons.append(_("unknown criterion {criterion!r} (criteria: {criteria})").format(
                criterion=criterion, criteria=", ".join(c.id for c in sheet.criteria)))
        if not (situation.reason or "").strip():
            reasons.append(_("a proposed score change needs a written reason (--reason)"))
    return reasons


def unanswered(facts: Facts, params: InspectionParams) -> dict[str, list[dict[str, Any]]]:
    """The proposed score changes each inspected unit has not answered yet, with who
    proposed them."""
    proposed: dict[str, list[dict[str, Any]]] = {}
    for inspector, records in sorted((facts.get(params.inspection) or {}).items()):
        for record in records:
            if record.get(params.criterion) is not None:
                proposed.setdefault(record[params.inspected], []).append(
                    {**record, "inspector": inspector})
    answers = facts.get(params.answer) or {}
    for unit in list(proposed):
        changes = sorted(proposed[unit], key=lambda r: str(r.get("occurred_at")))
        proposed[unit] = changes[len(answers.get(unit) or []):]
        if not proposed[unit]:
            del proposed[unit]
    return proposed


def _named(unit: str, change: dict[str, Any], params: InspectionParams) -> str:
    return _("{inspector}'s proposed change to {unit} ({criterion} {points})").format(
        inspector=change["inspector"], unit=unit, criterion=change[params.criterion],
        points=f"{float(change[params.points]):g}")


def change_to_answer(situation: Situation, params: InspectionParams) -> list[str]:
    """The unit has a proposed score change to answer."""
    if situation.unit is None or situation.unit in unanswered(situation.facts, params):
        return []
    return [_("{unit} has no proposed score change to answer").format(unit=situation.unit)]


def inspections_answered(situation: Situation, params: InspectionParams) -> list[str]:
    """Every proposed score change of a cross-inspection has been answered."""
    open_changes = unanswered(situation.facts, params)
    if not open_changes:
        return []
    named = [_named(unit, change, params)
             for unit, changes in sorted(open_changes.items()) for change in changes]
    return [_("a proposed score change is unanswered: {changes}").format(
        changes="; ".join(named))]
