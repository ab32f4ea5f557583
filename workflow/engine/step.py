"""The model a machine moves in one step: a throwaway object carrying the cycle, the step asked
for, and the three callbacks the machine calls (see :mod:`~thidua.workflow.engine.machine`).

A step is judged in one of two modes: *fire* evaluates every guard (conditions and validators)
and, if nothing refuses it, applies and persists it; *why* evaluates the conditions only and
changes nothing, which is how ``cycle why`` and ``cycle todo`` ask the same machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from thidua.workflow.engine.facts import apply_step
from thidua.workflow.engine.judge import Judgement
from thidua.workflow.language.model import Transition
from thidua.workflow.rules.library import ACTIONS
from thidua.workflow.rules.registry import Facts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class Step:
    """One step of one cycle, as the machine sees it.

    ``judge(validators=...)`` gives the verdict (see :func:`~thidua.workflow.engine.judge.judge`);
    ``persist(step)`` writes the cycle row and the ledger event, and is not given in *why* mode.
    """

    def __init__(self, state: str, transition: Transition, *, facts: Facts,
                 judge: Callable[..., Judgement], session: Session | None = None,
                 context: Any = None, occurred_at: str = "",
                 persist: Callable[[Step], None] | None = None) -> None:
        self.state = state
        self.from_state = state
        self.transition = transition
        self.facts = facts
        self._judge = judge
        self._session = session
        self._context = context
        self._occurred_at = occurred_at
        self._persist = persist
        self.judgement: Judgement | None = None
        self.result: Any = None

    @property
    def firing(self) -> bool:
        """True when the step is to be taken, not only asked about."""
        return self._persist is not None

    @property
    def reasons(self) -> list[str]:
        """Every reason the step was refused (none once it was judged allowed)."""
        return self.judgement.reasons if self.judgement else []

    def judged(self) -> bool:
        """The condition: roles and guards, every reason kept (validators only when firing)."""
        self.judgement = self._judge(validators=self.firing)
        return not self.judgement.reasons

    def apply(self) -> None:
        """Before the state changes: the effects on the facts, then the actions."""
        assert self.judgement is not None
        assert self._session is not None or not self.transition.actions
        situation = self.judgement.situation
        self.facts = apply_step(self.facts, self.transition, situation, self._occurred_at)
        for call in self.transition.actions:
            entry = ACTIONS[call.name]
            entry.fn(self._session, self._context, situation,
                     entry.params.model_validate(call.params))

    def persist(self) -> None:
        """After the state changed: the cycle row and the ledger event."""
        assert self._persist is not None
        self._persist(self)
