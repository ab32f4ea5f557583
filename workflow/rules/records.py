"""Rules about the facts a cycle has recorded: every member unit's, once, or not yet."""

from __future__ import annotations

from thidua.workflow.i18n import _
from thidua.workflow.rules.registry import FactParams, Facts, Situation, fact_label


def all_members(situation: Situation, params: FactParams) -> list[str]:
    """Every member unit of the cluster has recorded the per-unit fact."""
    recorded = situation.facts.get(params.fact) or {}
    missing = [unit for unit in situation.members if unit not in recorded]
    if not missing:
        return []
    return [_("member units without {fact}: {missing}").format(
                fact=fact_label(params.fact, situation.definition), missing=", ".join(missing))]


def fact_recorded(situation: Situation, params: FactParams) -> list[str]:
    """The cycle has recorded the fact (e.g. the council's acceptance)."""
    if params.fact in situation.facts:
        return []
    fact = fact_label(params.fact, situation.definition)
    return [_("no {fact} has been recorded").format(fact=fact)]


def fact_absent(situation: Situation, params: FactParams) -> list[str]:
    """The cycle has not recorded the fact yet (a one-time step)."""
    if params.fact not in situation.facts:
        return []
    fact = fact_label(params.fact, situation.definition)
    return [_("{fact} has already been recorded").format(fact=fact)]


def clear_fact(facts: Facts, situation: Situation, params: FactParams) -> None:
    """Set a fact aside so that the step that records it must be taken again.

    The old value stays in the ledger and under ``superseded`` in the facts: nothing is erased.
    """
    if params.fact in facts:
        facts.setdefault("superseded", {}).setdefault(params.fact, []).append(
            facts.pop(params.fact))
