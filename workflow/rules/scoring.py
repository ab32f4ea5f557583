"""Scores: self-scores per criterion, the head's reasoned adjustments, publication, ranking.

A unit's validated score is its self-score with every adjustment applied. Publishing freezes the
scores; afterwards a correction is a new reasoned event (never an edit of the published record).
Ranking: higher total first; a tie goes to the unit with more points in the first criterion of
the sheet, then the next; then by name.
"""

from __future__ import annotations

from typing import Annotated, Any

from thidua.workflow.i18n import _
from thidua.workflow.rules.registry import (
    FactName,
    Facts,
    InputName,
    NoParams,
    Params,
    Situation,
    WrittenFact,
    field_of,
)
from thidua.workflow.timeutil import business_day


class SheetParams(Params):
    """Where the scores are read from: the year reports with their self-scores, and the
    adjustments and corrections with the criterion and points of each."""

    report: FactName = "year_report"
    self_scores: Annotated[str, field_of("report")] = "self_scores"
    adjustments: FactName = "score_adjustments"
    corrections: FactName = "score_corrections"
    criterion: Annotated[str, field_of("adjustments")] = "criterion"
    points: Annotated[str, field_of("adjustments")] = "points"


def validated(facts: Facts, names: SheetParams | None = None) -> dict[str, dict[str, float]]:
    """Each unit's points per criterion, self-scored then adjusted and corrected."""
    n = names or SheetParams()
    result: dict[str, dict[str, float]] = {}
    for unit, report in (facts.get(n.report) or {}).items():
        points = dict(report.get(n.self_scores) or {})
        for change in [*(facts.get(n.adjustments) or {}).get(unit, []),
                       *(facts.get(n.corrections) or {}).get(unit, [])]:
            points[change[n.criterion]] = float(change[n.points])
        result[unit] = points
    return result


def total(points: dict[str, float]) -> float:
    """Criteria plus bonus minus penalty."""
    return round(sum(v for k, v in points.items() if k not in ("bonus", "penalty"))
                 + points.get("bonus", 0) - points.get("penalty", 0), 4)


def ranking(facts: Facts, definition: Any, names: SheetParams | None = None
            ) -> list[dict[str, Any]]:
    """Units by validated score, with the tie-break above; each with rank and total."""
    order = [c.id for c in definition.score_sheet.criteria] if definition.score_sheet else []
    scored = validated(facts, names)
    units = sorted(scored, key=lambda u: (-total(scored[u]),
                                          *[-scored[u].get(c, 0) for c in order], u))
    return [{"rank": i + 1, "unit": u, "total": total(scored[u]), "points": scored[u]}
            for i, u in enumerate(units)]


def not_own_unit(situation: Situation, params: NoParams) -> list[str]:
    """Separation of duties: a unit never validates its own score or approves its own case."""
    if situation.unit is not None and situation.unit == situation.actor_unit:
        return [_("{actor} belongs to {unit}: a unit never acts on its own score or "
                  "proposal").format(
                    actor=situation.actor, unit=situation.unit)]
    return []


class PublishedParams(Params):
    """The fact that holds the published scores."""

    scores: FactName = "scores"


def scores_open(situation: Situation, params: PublishedParams) -> list[str]:
    """The scores have not been published yet."""
    published = situation.facts.get(params.scores)
    if published is None:
        return []
    day = (business_day(published["published_at"], situation.zone).isoformat()
           if situation.zone is not None else published["published_at"][:10])
    return [_("the scores were published on {day} and cannot be edited: record a correction "
              "(correct_score) with a reason").format(day=day)]


def scores_published(situation: Situation, params: PublishedParams) -> list[str]:
    """The scores have been published (a correction needs something to correct)."""
    return [] if params.scores in situation.facts else [_("the scores have not been "
                                                          "published yet")]


class CriterionParams(Params):
    """The inputs naming a criterion and its points, and the fact with the self-scores."""

    criterion: InputName = "criterion"
    points: InputName = "points"
    report: FactName = "year_report"


def criterion_known(situation: Situation, params: CriterionParams) -> list[str]:
    """The adjusted criterion is on the score sheet and the points within its maximum."""
    sheet = situation.definition.score_sheet if situation.definition else None
    criterion = situation.inputs.get(params.criterion)
    points = situation.inputs.get(params.points)
    if sheet is None or criterion is None or points is None:
        return []
    caps = sheet.caps()
    if criterion not in caps:
        return [_("{criterion!r} is not a criterion of the score sheet ({caps})").format(
                    criterion=criterion, caps=', '.join(caps))]
    if not 0 <= float(points) <= caps[criterion]:
        return [_("{criterion} takes 0 to {caps:g} points, not {points:g}").format(
                    criterion=criterion, caps=caps[criterion], points=float(points))]
    if situation.unit not in (situation.facts.get(params.report) or {}):
        return [_("{unit} has no self-score to adjust").format(unit=situation.unit)]
    return []


class PublishParams(SheetParams):
    """Where the scores are read from, and the fact the published scores go into."""

    into: WrittenFact = "scores"


def publish_scores(facts: Facts, situation: Situation, params: PublishParams) -> None:
    """Freeze the validated scores and their ranking."""
    ranked = ranking(facts, situation.definition, params)
    facts[params.into] = {"published_at": situation.occurred_at,
                          "published": {r["unit"]: r["total"] for r in ranked},
                          "ranking": ranked}


class RerankParams(SheetParams):
    """Where the scores are read from, and the fact with the published scores."""

    scores: FactName = "scores"


def rerank(facts: Facts, situation: Situation, params: RerankParams) -> None:
    """After a correction, the ranking follows it; the published record stays as it was."""
    if params.scores in facts:
        facts[params.scores]["ranking"] = ranking(facts, situation.definition, params)
