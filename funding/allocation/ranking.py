"""Ranked funding (graduatoria): order the applications, then fund them in order within the budget.

Shared by the percentage-capped and the fixed-amount methods, which differ only in what each
application asks for. The rules, where the call's text is silent:

* Ranking "a sportello" (``submitted_at``): earlier submission first, then smaller code, then key.
  By ``score``: higher score first, then earlier submission, then smaller code, then key.
  ``input``: the order the caller gave (stored with the input, so still reproducible).
* Funding walks the ranking with the money left. An application that does not fit is, by default,
  where the ranking **stops**: it and every later one are not funded, even smaller ones that would
  fit, because "funded in ranking order within the resources" must not let a later applicant
  overtake an earlier one. With ``allow_partial_last`` it gets what is left instead (partly funded).
  With ``skip_unfundable`` it is skipped and later, smaller ones may still be funded.
* Scorrimento (``rerank_after_release``) re-runs the method without the withdrawn or revoked
  applications and with the amounts already granted to the others recorded in ``params["granted"]``:
  those are reserved first and never reduced, then the money left tops up and funds the ranking in
  the same order. So a stored round-2 input re-runs to the same round-2 result on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from funding.allocation.base import (
    FUNDED,
    NOT_FUNDED,
    PARTLY_FUNDED,
    AllocationInput,
    AllocationResult,
    Candidate,
    ResultRow,
    make_result,
)
from funding.allocation.values import check_decimal, clean_total, gettext_noop, param_decimal
from portal.constants import CENT

RANKING_BY_SUBMISSION = "submitted_at"
RANKING_BY_SCORE = "score"
RANKING_BY_INPUT_ORDER = "input"
RANKINGS = (RANKING_BY_SUBMISSION, RANKING_BY_SCORE, RANKING_BY_INPUT_ORDER)
# Parameters every ranked method reads besides its own.
RANKED_PARAMS = ("ranking", "allow_partial_last", "skip_unfundable", "granted", "released")

ERROR_NO_SUBMISSION_TIME = "Ranking by submission time needs the submission time of %(key)s."
ERROR_NO_SCORE = "Ranking by score needs the score of %(key)s."
ERROR_GRANTED_UNKNOWN = "An amount is recorded as already granted to %(key)s, which is not a candidate."
ERROR_GRANTED_AMOUNT = "The amount already granted to %(key)s must be zero or more in cents, not %(amount)s."
ERROR_GRANTED_ABOVE_REQUESTED = (
    "%(key)s was already granted %(granted)s €, more than the %(requested)s € it requests."
)
ERROR_GRANTED_ABOVE_TOTAL = "The amounts already granted (%(granted)s €) exceed the total (%(total)s €)."
ERROR_RELEASED_IS_CANDIDATE = "%(key)s is recorded as withdrawn or revoked but is still a candidate."
ERROR_RELEASED_UNKNOWN = "%(key)s is not in the previous allocation."
ERROR_NOT_RANKED = "Scorrimento applies to ranked methods only (%(methods)s), not %(method)s."
ERROR_NEW_TOTAL_NEGATIVE = "The extra money (%(extra)s €) would make the total negative."
ERROR_DECREASED = "Scorrimento would reduce the amount already granted to %(key)s: refused."

# Why a row got what it got; each method maps these to its rule text.
FULL = "full"
PARTIAL = "partial"
KEPT = "kept"
EXHAUSTED = "exhausted"
NO_FIT_STOP = "no_fit_stop"
AFTER_STOP = "after_stop"
NO_FIT_SKIPPED = "no_fit_skipped"
NOTHING = "nothing"

RULES = {
    PARTIAL: gettext_noop(
        "No. %(position)s in the ranking: %(requested)s € requested, partly funded with %(amount)s € "
        "(all that was left)"
    ),
    KEPT: gettext_noop(
        "No. %(position)s in the ranking: %(requested)s € requested, keeps the %(granted)s € already "
        "granted (nothing left to add)"
    ),
    EXHAUSTED: gettext_noop("No. %(position)s in the ranking: %(requested)s € requested, no money left"),
    NO_FIT_STOP: gettext_noop(
        "No. %(position)s in the ranking: %(requested)s € requested, more than the %(available)s € "
        "left; partial funding not allowed, the ranking stops here"
    ),
    AFTER_STOP: gettext_noop(
        "No. %(position)s in the ranking: not funded, the ranking stopped at no. %(stop)s"
    ),
    NO_FIT_SKIPPED: gettext_noop(
        "No. %(position)s in the ranking: %(requested)s € requested, more than the %(available)s € "
        "left; skipped, later ones may still be funded"
    ),
    NOTHING: gettext_noop("No. %(position)s in the ranking: nothing eligible, nothing to fund"),
}


@dataclass(frozen=True, slots=True)
class Claim:
    """What one ranked candidate asks for: ``requested`` to the cent, ``quota`` exact before
    rounding, ``granted`` already granted in an earlier round (kept whatever happens)."""

    candidate: Candidate
    requested: Decimal
    quota: Fraction
    granted: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Decision:
    amount: Decimal
    outcome: str
    reason: str
    available: Decimal  # money left when its turn came
    stop_position: int | None


def rank_candidates(*, candidates: Sequence[Candidate], ranking: str) -> list[Candidate]:
    """The candidates in ranking order; refuses a candidate missing what the criterion needs."""
    if ranking == RANKING_BY_INPUT_ORDER:
        return list(candidates)
    for candidate in candidates:
        if candidate.submitted_at is None:
            raise ValueError(ERROR_NO_SUBMISSION_TIME % {"key": candidate.key})
        if ranking == RANKING_BY_SCORE and candidate.score is None:
            raise ValueError(ERROR_NO_SCORE % {"key": candidate.key})
    if ranking == RANKING_BY_SCORE:
        return sorted(candidates, key=lambda c: (-c.score, c.submitted_at, c.code, c.key))
    return sorted(candidates, key=lambda c: (c.submitted_at, c.code, c.key))


def granted_amounts(*, params: Mapping[str, Any], candidates: Sequence[Candidate]) -> dict[str, Decimal]:
    """``params["granted"]`` (key -> amount) checked against the candidates and ``params["released"]``."""
    keys = {candidate.key for candidate in candidates}
    for key in params.get("released") or {}:
        if key in keys:
            raise ValueError(ERROR_RELEASED_IS_CANDIDATE % {"key": key})
    granted = {}
    for key, value in (params.get("granted") or {}).items():
        if key not in keys:
            raise ValueError(ERROR_GRANTED_UNKNOWN % {"key": key})
        amount = param_decimal({"amount": value}, "amount")
        if amount < 0 or amount != amount.quantize(CENT):
            raise ValueError(ERROR_GRANTED_AMOUNT % {"key": key, "amount": value})
        granted[key] = amount.quantize(CENT)
    return granted


def with_granted(params: Mapping[str, Any], granted: Mapping[str, Decimal], /) -> dict[str, Any]:
    """A copy of ``params`` recording what each candidate was already granted (key -> amount).

    For a service that builds the next round itself from what is committed (rather than from the
    previous result, as ``rerank_after_release`` does): the strategy then keeps those amounts.
    """
    return {**params, "granted": {key: str(amount) for key, amount in granted.items()}}


def fund_in_order(
    *, claims: Sequence[Claim], total: Decimal, allow_partial_last: bool, skip_unfundable: bool
) -> list[Decision]:
    """Walk the ranking with the money left (see the module docstring for the rules)."""
    already = sum((claim.granted for claim in claims), Decimal("0.00"))
    if already > total:
        raise ValueError(ERROR_GRANTED_ABOVE_TOTAL % {"granted": already, "total": total})
    available = total - already
    stop_position = None
    decisions = []
    for position, claim in enumerate(claims, start=1):
        if claim.granted > claim.requested:
            raise ValueError(
                ERROR_GRANTED_ABOVE_REQUESTED
                % {"key": claim.candidate.key, "granted": claim.granted, "requested": claim.requested}
            )
        need = claim.requested - claim.granted
        amount = claim.granted
        left = available
        if claim.requested == 0:
            reason = NOTHING
        elif need == 0:
            reason = FULL
        elif stop_position is not None:
            reason = AFTER_STOP
        elif need <= available:
            reason, amount, available = FULL, claim.requested, available - need
        elif available == 0:
            reason = EXHAUSTED
        elif allow_partial_last:
            reason, amount, available = PARTIAL, claim.granted + available, Decimal("0.00")
        elif skip_unfundable:
            reason = NO_FIT_SKIPPED
        else:
            reason, stop_position = NO_FIT_STOP, position
        if amount == claim.requested and amount > 0:
            outcome = FUNDED
        elif amount > 0:
            outcome = PARTLY_FUNDED
            if reason != PARTIAL:
                reason = KEPT
        else:
            outcome = NOT_FUNDED
        decisions.append(
            Decision(
                amount=amount, outcome=outcome, reason=reason, available=left, stop_position=stop_position
            )
        )
    return decisions


def ranked_result(
    *,
    allocation_input: AllocationInput,
    claims: Sequence[Claim],
    allow_partial_last: bool,
    skip_unfundable: bool,
    full_rule: Callable[[Claim], tuple[str, dict[str, str]]],
) -> AllocationResult:
    """Rows in ranking order. ``full_rule`` gives a method's own text for a fully funded claim
    (how the amount asked for was worked out) and its extra parameters."""
    decisions = fund_in_order(
        claims=claims,
        total=allocation_input.total,
        allow_partial_last=allow_partial_last,
        skip_unfundable=skip_unfundable,
    )
    rows = []
    for position, (claim, decision) in enumerate(zip(claims, decisions, strict=True), start=1):
        params = {
            "position": str(position),
            "requested": str(claim.requested),
            "amount": str(decision.amount),
            "available": str(decision.available),
            "granted": str(claim.granted),
            "stop": "" if decision.stop_position is None else str(decision.stop_position),
        }
        if decision.reason == FULL:
            rule, extra = full_rule(claim)
            params.update(extra)
        else:
            rule = RULES[decision.reason]
        rows.append(
            ResultRow(
                position=position,
                key=claim.candidate.key,
                code=claim.candidate.code,
                weight=claim.candidate.weight,
                quota=claim.quota,
                amount=decision.amount,
                outcome=decision.outcome,
                rule=rule,
                rule_params=params,
                requested=claim.requested,
            )
        )
    requested_total = sum((claim.requested for claim in claims), Decimal("0.00"))
    return make_result(allocation_input=allocation_input, rows=rows, requested_total=requested_total)


def rerank_after_release(
    *,
    previous: AllocationResult,
    released_keys: Iterable[str],
    extra_funds: Decimal = Decimal("0.00"),
) -> AllocationResult:
    """Scorrimento della graduatoria: the next result after withdrawals or revocations.

    The released applications leave the candidates (their amounts are listed in
    ``params["released"]`` for the record) and their money returns to the pot; ``extra_funds`` adds
    money from elsewhere, or is negative when part of a released grant was already paid out and
    cannot return. Everyone who stays keeps at least what ``previous`` gave them.
    """
    from funding.allocation import RANKED_METHODS, compute  # the registry imports this module

    if previous.method not in RANKED_METHODS:
        raise ValueError(ERROR_NOT_RANKED % {"methods": ", ".join(RANKED_METHODS), "method": previous.method})
    check_decimal(extra_funds, what="The extra money")
    released = set(released_keys)
    amounts = previous.amounts()
    unknown = sorted(released - set(amounts))
    if unknown:
        raise ValueError(ERROR_RELEASED_UNKNOWN % {"key": unknown[0]})
    new_total = previous.total + extra_funds
    if new_total < 0:
        raise ValueError(ERROR_NEW_TOTAL_NEGATIVE % {"extra": extra_funds})
    params = with_granted(
        previous.input.params,
        {key: amount for key, amount in amounts.items() if key not in released and amount},
    )
    params["released"] = {
        **(params.get("released") or {}),
        **{key: str(amounts[key]) for key in sorted(released)},
    }
    result = compute(
        AllocationInput(
            method=previous.method,
            total=clean_total(new_total),
            candidates=tuple(c for c in previous.input.candidates if c.key not in released),
            params=params,
            reference_date=previous.input.reference_date,
        )
    )
    for row in result.rows:
        if row.amount < amounts[row.key]:  # cannot happen by construction; money code checks anyway
            raise RuntimeError(ERROR_DECREASED % {"key": row.key})
    return result
