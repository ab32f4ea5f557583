"""The award register: every award line of every cycle's decision, derived from the cycles'
facts.

A decision step writes its lines into a fact of its cycle (the ``into`` of the
``award_decision`` effect, ``awards`` by default), and a revocation marks a line there. The
register is read from those facts and nowhere else: it has no table of its own, so it is
exactly what replaying the ledger gives (``audit verify`` compares every cycle's facts with its
replay), and it cannot be forged apart from the cycles it comes from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from thidua.store import cycles
from thidua.workflow.errors import IntegrityFailure
from thidua.workflow.i18n import _

if TYPE_CHECKING:  # a report reads the lines of one cycle without the ORM or pydantic
    from sqlalchemy.orm import Session

    from thidua.workflow.language.loader import Loaded
    from thidua.workflow.language.model import Definition
    from thidua.workflow.language.outline import Outline

DECISION_EFFECT = "award_decision"


def awards_fact(definition: Definition | Outline) -> str | None:
    """The fact a definition's decision writes its award lines into (None: it has none); from
    its model or from its outline."""
    for transition in definition.transitions:
        for call in transition.effects:
            if call.name == DECISION_EFFECT:
                return str(call.params.get("into", "awards"))
    return None


def lines_of(cycle_id: int, cluster: str, period: int, facts: dict[str, Any],
             fact: str | None) -> Iterator[dict[str, Any]]:
    """The award lines of one cycle, each with its id (``CYCLE.LINE``) and its decision."""
    decision = facts.get(fact) if fact else None
    if not isinstance(decision, dict):
        return
    for line in decision.get("lines", []):
        yield {"id": f"{cycle_id}.{line['line']}", "cycle": cycle_id, "cluster": cluster,
               "period": period, "decision": decision.get("number"),
               "date": decision.get("date"), "signer": decision.get("signer"),
               "candidate": line.get("candidate"), "kind": line.get("kind"),
               "unit": line.get("unit"), "award": line.get("award"),
               "award_label": line.get("award_label"), "grounds": line.get("grounds") or {},
               "revoked": line.get("revoked")}


def lines(session: Session, resolve: Callable[[Session, str], Loaded], *,
          exclude: int = 0) -> list[dict[str, Any]]:
    """Every award line of every cycle but ``exclude``, by year, cycle and line."""
    found: list[dict[str, Any]] = []
    for row in cycles.with_facts(session, exclude=exclude):
        fact = awards_fact(resolve(session, row.definition_hash).definition)
        if fact is None:
            continue
        try:
            facts = json.loads(row.facts)
        except (TypeError, ValueError, RecursionError):
            facts = None
        if not isinstance(facts, dict):
            raise IntegrityFailure(_("cycle {cycle} holds facts that are not a JSON object: it "
                                     "was changed outside thidua; run thidua audit "
                                     "verify").format(cycle=row.id), kind="altered")
        found += lines_of(row.id, row.cluster, row.period, facts, fact)
    return found
