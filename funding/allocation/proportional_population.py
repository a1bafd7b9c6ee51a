"""Method (a): a sum split over comuni in proportion to resident population at a stated date.

The COVID-19 support to local police (499,999.88 € over every comune of Piedmont) is the model case.
The reference date is part of the input because the population changes every year (1,181 comuni in
2022, 1,180 from 2023) and the act names the year it used: a split without it cannot be explained.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from funding.allocation.base import AllocationInput, AllocationResult, Candidate, check_method
from funding.allocation.largest_remainder import split_by_largest_remainder
from funding.allocation.values import check_params
from portal.constants import ISTAT_CODE_LENGTH

METHOD = "population"
# "source" records where the figures come from (e.g. "ISTAT, elaborazione Openpolis").
PARAMS = ("source",)

ERROR_REFERENCE_DATE_MISSING = "A population split needs the reference date of the population figures."
ERROR_ISTAT_CODE = "%(code)r is not an ISTAT code: it must be a string of %(length)s digits, e.g. '001272'."
ERROR_POPULATION = "The population of %(code)s must be a whole number of zero or more, not %(value)r."


def _check_population(code: str, population: object) -> None:
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise ValueError(ERROR_POPULATION % {"code": code, "value": population})


def _check_code(code: object) -> None:
    # ISTAT codes are strings: as integers, Torino's 001272 would lose its leading zeros.
    if not isinstance(code, str) or len(code) != ISTAT_CODE_LENGTH or not code.isdigit():
        raise ValueError(ERROR_ISTAT_CODE % {"code": code, "length": ISTAT_CODE_LENGTH})


def population_input(
    *,
    total: Decimal,
    populations: Mapping[str, int],
    reference_date: datetime.date,
    source: str = "",
) -> AllocationInput:
    """The input of a population split: one candidate per comune, keyed and coded by ISTAT code,
    sorted by code so the stored input does not depend on the order the caller had."""
    candidates = []
    for code in sorted(populations):
        _check_code(code)
        _check_population(code, populations[code])
        candidates.append(Candidate(key=code, code=code, weight=populations[code]))
    return AllocationInput(
        method=METHOD,
        total=total,
        candidates=tuple(candidates),
        params={"source": source} if source else {},
        reference_date=reference_date,
    )


def compute(allocation_input: AllocationInput, /) -> AllocationResult:
    """Largest remainder on cents by population; refuses an input without its reference date."""
    check_method(allocation_input, method=METHOD)
    check_params(params=allocation_input.params, known=PARAMS, method=METHOD)
    if allocation_input.reference_date is None:
        raise ValueError(ERROR_REFERENCE_DATE_MISSING)
    for candidate in allocation_input.candidates:
        _check_code(candidate.code)
        _check_population(candidate.code, candidate.weight)
    return split_by_largest_remainder(allocation_input)


def allocate_by_population(
    *,
    total: Decimal,
    populations: Mapping[str, int],
    reference_date: datetime.date,
    source: str = "",
) -> AllocationResult:
    """Shortcut for ``compute(population_input(...))``."""
    return compute(
        population_input(total=total, populations=populations, reference_date=reference_date, source=source)
    )
