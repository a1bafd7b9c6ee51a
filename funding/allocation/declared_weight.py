"""Method (b): a sum split over admitted applications in proportion to a number each one declared.

The body-cam pilot (800,000.00 € by officers in service among the provincial capitals, the Città
metropolitana and the provinces' police) is the model case. Weights may carry decimals (full-time
equivalents) and are split by the same largest-remainder rule as population.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from funding.allocation.base import AllocationInput, AllocationResult, Candidate, check_method
from funding.allocation.largest_remainder import split_by_largest_remainder
from funding.allocation.values import check_params

METHOD = "declared_weight"
# "weight_label" says what was declared (e.g. "officers in service"), for the annex of the act.
PARAMS = ("weight_label",)


def declared_weight_input(
    *,
    total: Decimal,
    candidates: Sequence[Candidate],
    weight_label: str = "",
    reference_date: datetime.date | None = None,
) -> AllocationInput:
    """The input of a declared-weight split. ``reference_date`` is optional: the date the
    declarations refer to, when the call states one."""
    return AllocationInput(
        method=METHOD,
        total=total,
        candidates=tuple(candidates),
        params={"weight_label": weight_label} if weight_label else {},
        reference_date=reference_date,
    )


def compute(allocation_input: AllocationInput, /) -> AllocationResult:
    """Largest remainder on cents by the declared weights (rows in input order)."""
    check_method(allocation_input, method=METHOD)
    check_params(params=allocation_input.params, known=PARAMS, method=METHOD)
    return split_by_largest_remainder(allocation_input)


def allocate_by_declared_weight(
    *,
    total: Decimal,
    candidates: Sequence[Candidate],
    weight_label: str = "",
    reference_date: datetime.date | None = None,
) -> AllocationResult:
    """Shortcut for ``compute(declared_weight_input(...))``."""
    return compute(
        declared_weight_input(
            total=total, candidates=candidates, weight_label=weight_label, reference_date=reference_date
        )
    )
