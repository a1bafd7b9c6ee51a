"""Hamilton's largest-remainder method on integer cents: the one way this portal splits a sum by weight.

Every candidate gets the floor of its exact quota in cents; the cents left over go one each to the
largest remainders, ties broken by larger weight, then by smaller code (then key, so the order is
total and a re-run can never differ). Hence the shares add up to the total exactly and each differs
from its exact quota by less than one cent. All arithmetic is on integers: a weight with decimals is
scaled to an integer by the same power of ten as every other weight, which leaves the ratios and
therefore the result unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from funding.allocation.base import (
    FUNDED,
    NOT_FUNDED,
    AllocationInput,
    AllocationResult,
    ResultRow,
    make_result,
)
from funding.allocation.values import (
    Weight,
    check_decimal,
    from_cents,
    gettext_noop,
    number_to_str,
    ratio_to_decimal,
    to_cents,
)

ERROR_NO_CANDIDATES = "There is nobody to split among: the list of candidates is empty."
ERROR_ALL_ZERO = "All weights are zero: there is nothing to split by."
ERROR_TOTAL_CENTS_NEGATIVE = "The total in cents must be a whole number of zero or more, not %(total)r."
ERROR_WEIGHT_NEGATIVE = "Weight no. %(index)s is negative (%(weight)s): weights must be zero or more."
ERROR_LENGTHS = "Weights, codes and keys must be as many as the candidates."

RULE_ZERO = gettext_noop("Weight 0: no share")
RULE_EXACT = gettext_noop("Weight %(weight)s of %(weight_total)s: exact quota %(amount)s €, no rounding")
RULE_FLOOR = gettext_noop(
    "Weight %(weight)s of %(weight_total)s: exact quota %(quota)s €, rounded down to %(amount)s €"
)
RULE_FLOOR_TIE = gettext_noop(
    "Weight %(weight)s of %(weight_total)s: exact quota %(quota)s €, rounded down to %(amount)s € "
    "(equal remainders: the last leftover cents went to larger weights, then smaller codes)"
)
RULE_CENT = gettext_noop(
    "Weight %(weight)s of %(weight_total)s: exact quota %(quota)s €, rounded down plus one leftover "
    "cent (remainder no. %(rank)s of %(leftover)s) = %(amount)s €"
)
RULE_CENT_TIE = gettext_noop(
    "Weight %(weight)s of %(weight_total)s: exact quota %(quota)s €, rounded down plus one leftover "
    "cent (remainder no. %(rank)s of %(leftover)s, an equal remainder won by larger weight, then "
    "smaller code) = %(amount)s €"
)


@dataclass(frozen=True, slots=True)
class CentShare:
    """One candidate's share in cents, with what explains it: its exact quota in cents, and, when
    it got a leftover cent, the rank of its remainder; ``tied`` marks a remainder equal to the one
    at the boundary, where weight or code decided."""

    cents: int
    quota_numerator: int  # the exact quota in cents is quota_numerator / quota_denominator
    quota_denominator: int
    leftover_rank: int | None
    tied: bool

    @property
    def quota_cents(self) -> Fraction:
        return Fraction(self.quota_numerator, self.quota_denominator)


def _scale(weights: Sequence[Weight]) -> list[int]:
    """Integer weights in the same ratios: every weight times 10**k, k the most decimals seen."""
    places = 0
    for weight in weights:
        if isinstance(weight, Decimal):
            places = max(places, -weight.as_tuple().exponent)
    scaled = []
    for weight in weights:
        if isinstance(weight, Decimal):
            # From the digits, not scaleb: scaleb rounds to the context precision on long numbers.
            sign, digits, exponent = weight.as_tuple()
            value = int("".join(map(str, digits))) * 10 ** (exponent + places)
            scaled.append(-value if sign else value)
        else:
            scaled.append(weight * 10**places)
    return scaled


def largest_remainder_cents(
    *,
    total_cents: int,
    weights: Sequence[Weight],
    codes: Sequence[str],
    keys: Sequence[str] | None = None,
) -> list[CentShare]:
    """Split ``total_cents`` by ``weights``; one CentShare per weight, in the same order.

    ``codes`` break ties between equal remainders after the larger weight; ``keys`` (default: the
    position) make the order total when two codes are equal.
    """
    if isinstance(total_cents, bool) or not isinstance(total_cents, int) or total_cents < 0:
        raise ValueError(ERROR_TOTAL_CENTS_NEGATIVE % {"total": total_cents})
    if not weights:
        raise ValueError(ERROR_NO_CANDIDATES)
    keys = [f"{index:09d}" for index in range(len(weights))] if keys is None else keys
    if not (len(weights) == len(codes) == len(keys)):
        raise ValueError(ERROR_LENGTHS)
    for index, weight in enumerate(weights, start=1):
        check_decimal(weight, what=f"Weight no. {index}")
        if weight < 0:
            raise ValueError(ERROR_WEIGHT_NEGATIVE % {"index": index, "weight": weight})
    scaled = _scale(weights)
    weight_total = sum(scaled)
    if weight_total == 0:
        raise ValueError(ERROR_ALL_ZERO)

    floors: list[int] = []
    remainders: list[int] = []  # numerators over weight_total: comparable exactly, as integers
    for weight in scaled:
        floor, remainder = divmod(total_cents * weight, weight_total)
        floors.append(floor)
        remainders.append(remainder)
    leftover = total_cents - sum(floors)
    order = sorted(
        (index for index, remainder in enumerate(remainders) if remainder),
        key=lambda index: (-remainders[index], -scaled[index], codes[index], keys[index]),
    )
    # The leftover equals the sum of the fractional parts, each below one, so at least leftover + 1
    # candidates have a positive remainder: every leftover cent lands on one of them.
    ranks = {index: rank for rank, index in enumerate(order[:leftover], start=1)}
    tie_remainder = None
    if 0 < leftover < len(order) and remainders[order[leftover - 1]] == remainders[order[leftover]]:
        tie_remainder = remainders[order[leftover]]

    return [
        CentShare(
            cents=floors[index] + (1 if index in ranks else 0),
            quota_numerator=total_cents * scaled[index],
            quota_denominator=weight_total,
            leftover_rank=ranks.get(index),
            tied=tie_remainder is not None and remainders[index] == tie_remainder,
        )
        for index in range(len(scaled))
    ]


def _rule(share: CentShare, weight: Weight) -> str:
    if weight == 0:
        return RULE_ZERO
    if share.leftover_rank is not None:
        return RULE_CENT_TIE if share.tied else RULE_CENT
    if share.quota_numerator % share.quota_denominator == 0:
        return RULE_EXACT
    return RULE_FLOOR_TIE if share.tied else RULE_FLOOR


def split_by_largest_remainder(allocation_input: AllocationInput, /) -> AllocationResult:
    """The result of a proportional split of ``allocation_input`` (rows in input order).

    Shared by the population and declared-weight methods, which differ only in what they accept
    as weights and parameters, checked before calling this.
    """
    candidates = allocation_input.candidates
    if not candidates:
        raise ValueError(ERROR_NO_CANDIDATES)
    weights = [candidate.weight for candidate in candidates]
    total_cents = to_cents(allocation_input.total)
    shares = largest_remainder_cents(
        total_cents=total_cents,
        weights=weights,
        codes=[candidate.code for candidate in candidates],
        keys=[candidate.key for candidate in candidates],
    )
    weight_total = number_to_str(sum(weights, 0))
    leftover = str(total_cents - sum(share.cents - (share.leftover_rank is not None) for share in shares))
    rows = []
    for position, (candidate, share) in enumerate(zip(candidates, shares, strict=True), start=1):
        amount = from_cents(share.cents)
        # Built once from integers: Fraction arithmetic per row would dominate the run time.
        quota = Fraction(share.quota_numerator, share.quota_denominator * 100)
        rows.append(
            ResultRow(
                position=position,
                key=candidate.key,
                code=candidate.code,
                weight=candidate.weight,
                quota=quota,
                amount=amount,
                outcome=FUNDED if share.cents else NOT_FUNDED,
                rule=_rule(share, candidate.weight),
                rule_params={
                    "weight": number_to_str(candidate.weight),
                    "weight_total": weight_total,
                    "quota": str(ratio_to_decimal(share.quota_numerator, share.quota_denominator * 100)),
                    "amount": str(amount),
                    "rank": "" if share.leftover_rank is None else str(share.leftover_rank),
                    "leftover": leftover,
                },
            )
        )
    return make_result(allocation_input=allocation_input, rows=rows)
