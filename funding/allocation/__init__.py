"""Allocation strategies: how a call's money is split, as pure functions of a stored input.

``compute(allocation_input)`` dispatches on ``allocation_input.method`` (the values of
``funding.choices.AllocationMethod``). Inputs and results round-trip through JSON
(``to_dict``/``from_dict``), so an allocation stored with its input can be re-run later and gives the
same cents: ``compute(AllocationResult.from_dict(stored).input) == AllocationResult.from_dict(stored)``.
No Django, no database: services fetch the candidates, call this, and store what it returns.
"""

from __future__ import annotations

from collections.abc import Callable

from funding.allocation import (
    declared_weight,
    fixed_amount,
    percentage_capped_ranked,
    proportional_population,
)
from funding.allocation.base import (
    FUNDED,
    NOT_FUNDED,
    OUTCOMES,
    PARTLY_FUNDED,
    AllocationInput,
    AllocationResult,
    Candidate,
    ResultRow,
)
from funding.allocation.ranking import (
    RANKING_BY_INPUT_ORDER,
    RANKING_BY_SCORE,
    RANKING_BY_SUBMISSION,
    rerank_after_release,
    with_granted,
)

Strategy = Callable[[AllocationInput], AllocationResult]

STRATEGIES: dict[str, Strategy] = {
    proportional_population.METHOD: proportional_population.compute,
    declared_weight.METHOD: declared_weight.compute,
    percentage_capped_ranked.METHOD: percentage_capped_ranked.compute,
    fixed_amount.METHOD: fixed_amount.compute,
}
# Methods that fund in ranking order, to which the scorrimento applies.
RANKED_METHODS = (percentage_capped_ranked.METHOD, fixed_amount.METHOD)

ERROR_UNKNOWN_METHOD = "Unknown allocation method %(method)r (known: %(known)s)."

__all__ = [
    "FUNDED",
    "NOT_FUNDED",
    "OUTCOMES",
    "PARTLY_FUNDED",
    "RANKED_METHODS",
    "RANKING_BY_INPUT_ORDER",
    "RANKING_BY_SCORE",
    "RANKING_BY_SUBMISSION",
    "STRATEGIES",
    "AllocationInput",
    "AllocationResult",
    "Candidate",
    "ResultRow",
    "compute",
    "rerank_after_release",
    "with_granted",
]


def compute(allocation_input: AllocationInput, /) -> AllocationResult:
    """The result of the strategy ``allocation_input.method`` names; raises ValueError for an
    unknown method or an input the strategy refuses (messages are the modules' ERROR_* constants)."""
    strategy = STRATEGIES.get(allocation_input.method)
    if strategy is None:
        raise ValueError(
            ERROR_UNKNOWN_METHOD % {"method": allocation_input.method, "known": ", ".join(sorted(STRATEGIES))}
        )
    return strategy(allocation_input)
