"""Method (c): a percentage of each application's eligible expense, capped, funded in ranking order.

The taxi pilot (300,000.00 €: a share of the event recorder's cost net of VAT, up to a maximum per
application, funded in ranking order within the resources) is the model case. Each candidate's
``weight`` is its eligible expense in euros (net of VAT when the call says so: the caller picks the
basis). What it asks for is ``percentage`` of it rounded to the cent half up, then capped at ``cap``;
the ranking and the budget walk are those of ``funding.allocation.ranking`` (read its docstring for
the stop/skip/partial rules and the scorrimento).

Parameters: ``percentage`` (required, 0 < p <= 100), ``cap`` (optional, per application),
``ranking`` ("submitted_at" a sportello, default, or "score"), ``allow_partial_last`` (default
false), ``skip_unfundable`` (default false), and ``granted``/``released`` written by the scorrimento.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from fractions import Fraction

from funding.allocation.base import AllocationInput, AllocationResult, Candidate, check_method
from funding.allocation.ranking import (
    RANKED_PARAMS,
    RANKING_BY_SCORE,
    RANKING_BY_SUBMISSION,
    Claim,
    granted_amounts,
    rank_candidates,
    ranked_result,
    rerank_after_release,
)
from funding.allocation.values import check_params, gettext_noop, param_bool, param_choice, param_decimal
from portal.constants import CENT
from portal.money import quantize_money

METHOD = "percentage_capped"
PARAMS = ("percentage", "cap", *RANKED_PARAMS)
HUNDRED = Decimal(100)

ERROR_PERCENTAGE = (
    "The percentage must be more than 0 and at most 100, with at most 4 decimals, not %(value)s."
)
ERROR_CAP = "The cap per application must be more than zero, in cents, not %(value)s."
ERROR_EXPENSE = "The eligible expense of %(key)s must be an amount in cents, not %(value)s."

RULE_FULL = gettext_noop(
    "No. %(position)s in the ranking: %(percentage)s%% of %(net)s € = %(requested)s €, funded in full"
)
RULE_FULL_CAPPED = gettext_noop(
    "No. %(position)s in the ranking: %(percentage)s%% of %(net)s € capped at %(cap)s € = "
    "%(requested)s €, funded in full"
)

__all__ = [
    "METHOD",
    "allocate_percentage_capped",
    "compute",
    "percentage_capped_input",
    "requested_contribution",
    "rerank_after_release",
]


def clean_percentage(value: Decimal | int | str | None) -> Decimal:
    percentage = param_decimal({"percentage": value}, "percentage")
    if percentage is None or not 0 < percentage <= HUNDRED or percentage.as_tuple().exponent < -4:
        raise ValueError(ERROR_PERCENTAGE % {"value": value})
    return percentage


def clean_cap(value: Decimal | int | str | None) -> Decimal | None:
    cap = param_decimal({"cap": value}, "cap")
    if cap is None:
        return None
    if cap <= 0 or cap != cap.quantize(CENT):
        raise ValueError(ERROR_CAP % {"value": value})
    return cap.quantize(CENT)


def exact_contribution(*, expense: Decimal, percentage: Decimal, cap: Decimal | None) -> Fraction:
    """The contribution before rounding: percentage of the expense, at most the cap."""
    exact = Fraction(expense) * Fraction(percentage) / 100
    return exact if cap is None else min(exact, Fraction(cap))


def requested_contribution(*, expense: Decimal, percentage: Decimal, cap: Decimal | None) -> Decimal:
    """What an application asks for: percentage of the expense rounded to the cent half up, then
    capped. Capping after rounding gives the same cents as before, the cap being in cents."""
    with localcontext() as context:
        context.prec = 60  # expense and percentage have few digits: the product is exact
        amount = quantize_money(Decimal(expense) * Decimal(percentage) / HUNDRED)
    return amount if cap is None else min(amount, cap)


def percentage_capped_input(
    *,
    total: Decimal,
    candidates: Sequence[Candidate],
    percentage: Decimal,
    cap: Decimal | None = None,
    ranking: str = RANKING_BY_SUBMISSION,
    allow_partial_last: bool = False,
    skip_unfundable: bool = False,
) -> AllocationInput:
    """The input of a percentage-capped call; each candidate's weight is its eligible expense."""
    params = {
        "percentage": percentage,
        "ranking": ranking,
        "allow_partial_last": allow_partial_last,
        "skip_unfundable": skip_unfundable,
    }
    if cap is not None:
        params["cap"] = cap
    return AllocationInput(method=METHOD, total=total, candidates=tuple(candidates), params=params)


def compute(allocation_input: AllocationInput, /) -> AllocationResult:
    """Rank, work out each request, and fund in order within the total (rows in ranking order)."""
    check_method(allocation_input, method=METHOD)
    params = allocation_input.params
    check_params(params=params, known=PARAMS, method=METHOD)
    percentage = clean_percentage(params.get("percentage"))
    cap = clean_cap(params.get("cap"))
    ranking = param_choice(
        params, "ranking", choices=(RANKING_BY_SUBMISSION, RANKING_BY_SCORE), default=RANKING_BY_SUBMISSION
    )
    granted = granted_amounts(params=params, candidates=allocation_input.candidates)
    claims = []
    for candidate in rank_candidates(candidates=allocation_input.candidates, ranking=ranking):
        expense = Decimal(candidate.weight)
        if expense != expense.quantize(CENT):
            raise ValueError(ERROR_EXPENSE % {"key": candidate.key, "value": candidate.weight})
        claims.append(
            Claim(
                candidate=candidate,
                requested=requested_contribution(expense=expense, percentage=percentage, cap=cap),
                quota=exact_contribution(expense=expense, percentage=percentage, cap=cap),
                granted=granted.get(candidate.key, Decimal("0.00")),
            )
        )

    def full_rule(claim: Claim) -> tuple[str, dict[str, str]]:
        expense = Decimal(claim.candidate.weight)
        capped = cap is not None and Fraction(expense) * Fraction(percentage) / 100 > cap
        extra = {
            "percentage": str(percentage),
            "net": str(expense),
            "cap": "" if cap is None else str(cap),
        }
        return (RULE_FULL_CAPPED if capped else RULE_FULL), extra

    return ranked_result(
        allocation_input=allocation_input,
        claims=claims,
        allow_partial_last=param_bool(params, "allow_partial_last"),
        skip_unfundable=param_bool(params, "skip_unfundable"),
        full_rule=full_rule,
    )


def allocate_percentage_capped(
    *,
    total: Decimal,
    candidates: Sequence[Candidate],
    percentage: Decimal,
    cap: Decimal | None = None,
    ranking: str = RANKING_BY_SUBMISSION,
    allow_partial_last: bool = False,
    skip_unfundable: bool = False,
) -> AllocationResult:
    """Shortcut for ``compute(percentage_capped_input(...))``."""
    return compute(
        percentage_capped_input(
            total=total,
            candidates=candidates,
            percentage=percentage,
            cap=cap,
            ranking=ranking,
            allow_partial_last=allow_partial_last,
            skip_unfundable=skip_unfundable,
        )
    )
