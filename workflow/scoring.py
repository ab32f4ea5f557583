"""Scores: self-scores per criterion, the head's reasoned adjustments, publication, ranking.

A unit's validated score is its self-score with every adjustment applied. Publishing freezes the
scores; afterwards a correction is a new reasoned event (never an edit of the published record).
Ranking: higher total first; a tie goes to the unit with more points in the first criterion of
the sheet, then the next; then by name.
"""

from __future__ import annotations

from typing import Any

from thidua.workflow.registry import Facts, NoParams, Params, Situation, effect, guard

REPORT, ADJUSTMENTS, CORRECTIONS, SCORES = (
    "year_report", "score_adjustments", "score_corrections", "scores")


def validated(facts: Facts) -> dict[str, dict[str, float]]:
    """Each unit's points per criterion, self-scored then adjusted and corrected."""
    result: dict[str, dict[str, float]] = {}
    for unit, report in (facts.get(REPORT) or {}).items():
        points = dict(report.get("self_scores") or {})
        for change in [*(facts.get(ADJUSTMENTS) or {}).get(unit, []),
                       *(facts.get(CORRECTIONS) or {}).get(unit, [])]:
            points[change["criterion"]] = float(change["points"])
        result[unit] = points
    return result


def total(points: dict[str, float]) -> float:
    """Criteria plus bonus minus penalty."""
    return round(sum(v for k, v in points.items() if k not in ("bonus", "penalty"))
                 + points.get("bonus", 0) - points.get("penalty", 0), 4)


def ranking(facts: Facts, definition: Any) -> list[dict[str, Any]]:
    """Units by validated score, with the tie-break above; each with rank and total."""
    order = [c.id for c in definition.score_sheet.criteria] if definition.score_sheet else []
    scored = validated(facts)
    units = sorted(scored, key=lambda u: (-total(scored[u]),
                                          *[-scored[u].get(c, 0) for c in order], u))
    return [{"rank": i + 1, "unit": u, "total": total(scored[u]), "points": scored[u]}
            for i, u in enumerate(units)]


@guard("not_own_unit", NoParams)
def not_own_unit(situation: Situation, params: NoParams) -> list[str]:
    """Separation of duties: a unit never validates its own score or approves its own case."""
    if situation.unit is not None and situation.unit == situation.actor_unit:
        return [f"{situation.actor} belongs to {situation.unit}: a unit never acts on its own "
                "score or proposal"]
    return []


@guard("scores_open", NoParams)
def scores_open(situation: Situation, params: NoParams) -> list[str]:
    """The scores have not been published yet."""
    published = situation.facts.get(SCORES)
    if published is None:
        return []
    return [f"the scores were published on {published['published_at'][:10]} and cannot be "
            "edited: record a correction (correct_score) with a reason"]


@guard("scores_published", NoParams)
def scores_published(situation: Situation, params: NoParams) -> list[str]:
    """The scores have been published (a correction needs something to correct)."""
    return [] if SCORES in situation.facts else ["the scores have not been published yet"]


@guard("criterion_known", NoParams)
def criterion_known(situation: Situation, params: NoParams) -> list[str]:
    """The adjusted criterion is on the score sheet and the points within its maximum."""
    sheet = situation.definition.score_sheet if situation.definition else None
    criterion, points = situation.inputs.get("criterion"), situation.inputs.get("points")
    if sheet is None or criterion is None or points is None:
        return []
    caps = {c.id: c.max for c in sheet.criteria} | {"bonus": sheet.bonus_max,
                                                    "penalty": sheet.penalty_max}
    if criterion not in caps:
        return [f"{criterion!r} is not a criterion of the score sheet ({', '.join(caps)})"]
    if not 0 <= float(points) <= caps[criterion]:
        return [f"{criterion} takes 0 to {caps[criterion]:g} points, not {float(points):g}"]
    if situation.unit not in (situation.facts.get(REPORT) or {}):
        return [f"{situation.unit} has no self-score to adjust"]
    return []


@effect("publish_scores", NoParams)
def publish_scores(facts: Facts, situation: Situation, params: Params) -> None:
    """Freeze the validated scores and their ranking."""
    ranked = ranking(facts, situation.definition)
    facts[SCORES] = {"published_at": situation.occurred_at,
                     "published": {r["unit"]: r["total"] for r in ranked},
                     "ranking": ranked}


@effect("rerank", NoParams)
def rerank(facts: Facts, situation: Situation, params: Params) -> None:
    """After a correction, the ranking follows it; the published record stays as it was."""
    if SCORES in facts:
        facts[SCORES]["ranking"] = ranking(facts, situation.definition)
