"""Method (d): the same fixed amount to every admitted beneficiary, within the total.

When the total covers everyone, the order does not matter; when it does not, beneficiaries are
funded in ranking order with the rules of ``funding.allocation.ranking`` (by default, the last that
does not fit stops the ranking; ``allow_partial_last`` gives it what is left instead). The ranking
defaults to the order the caller gave ("input"), since a list of beneficiaries (say, every
provincial capital) may have no submission time; "submitted_at" and "score" work as for method (c).
Weights are not used: each row carries the candidate's weight as given.

Parameters: ``amount`` (required, > 0, in cents), ``ranking`` (default "input"),
``allow_partial_last``, ``skip_unfundable`` (matters only after a scorrimento, when a partly funded
beneficiary needs less than the others), and ``granted``/``released`` written by the scorrimento.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from funding.allocation.base import AllocationInput, AllocationResult, Candidate, check_method
from funding.allocation.ranking import (
    RANKED_PARAMS,
    RANKING_BY_INPUT_ORDER,
    RANKINGS,
    Claim,
    granted_amounts,
    rank_candidates,
    ranked_result,
)
from funding.allocation.values import check_params, gettext_noop, param_bool, param_choice, param_decimal
from portal.constants import CENT

METHOD = "fixed"
PARAMS = ("amount", *RANKED_PARAMS)

ERROR_AMOUNT = "The fixed amount must be more than zero, in cents, not %(value)s."

RULE_FULL = gettext_noop("No. %(position)s in the ranking: fixed amount of %(requested)s €, funded in full")


def clean_amount(value: Decimal | int | str | None) -> Decimal:
    amount = param_decimal({"amount": value}, "amount")
    if amount is None or amount <= 0 or amount != amount.quantize(CENT):
        raise ValueError(ERROR_AMOUNT % {"value": value})
    return amount.quantize(CENT)


def fixed_amount_input(
    *,
    total: Decimal,
    candidates: Sequence[Candidate],
    amount: Decimal,
    ranking: str = RANKING_BY_INPUT_ORDER,
    allow_partial_last: bool = False,
) -> AllocationInput:
    """The input of a fixed-amount split."""
    params = {"amount": amount, "ranking": ranking, "allow_partial_last": allow_partial_last}
    return AllocationInput(method=METHOD, total=total, candidates=tuple(candidates), params=params)


def compute(allocation_input: AllocationInput, /) -> AllocationResult:
    """Everyone asks for the fixed amount; funded in ranking order within the total."""
    check_method(allocation_input, method=METHOD)
    params = allocation_input.params
    check_params(params=params, known=PARAMS, method=METHOD)
    amount = clean_amount(params.get("amount"))
    ranking = param_choice(params, "ranking", choices=RANKINGS, default=RANKING_BY_INPUT_ORDER)
    granted = granted_amounts(params=params, candidates=allocation_input.candidates)
    claims = [
        Claim(
            candidate=candidate,
            requested=amount,
            quota=Fraction(amount),
            granted=granted.get(candidate.key, Decimal("0.00")),
        )
        for candidate in rank_candidates(candidates=allocation_input.candidates, ranking=ranking)
    ]
    return ranked_result(
        allocation_input=allocation_input,
        claims=claims,
        allow_partial_last=param_bool(params, "allow_partial_last"),
        skip_unfundable=param_bool(params, "skip_unfundable"),
        full_rule=lambda claim: (RULE_FULL, {}),
    )


def allocate_fixed_amount(
    *,
    total: Decimal,
    candidates: Sequence[Candidate],
    amount: Decimal,
    ranking: str = RANKING_BY_INPUT_ORDER,
    allow_partial_last: bool = False,
) -> AllocationResult:
    """Shortcut for ``compute(fixed_amount_input(...))``."""
    return compute(
        fixed_amount_input(
            total=total,
            candidates=candidates,
            amount=amount,
            ranking=ranking,
            allow_partial_last=allow_partial_last,
        )
    )
