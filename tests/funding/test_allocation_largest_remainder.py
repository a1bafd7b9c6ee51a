"""Largest remainder on cents: exact sums, less than a cent from the exact quota, documented ties.

Pure: no database. Property tests (hypothesis) check the guarantees the DOMAIN promises on random
weights and totals; hand-made cases pin the tie-break (larger weight, then smaller code).
"""

import itertools
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.allocation import Candidate
from funding.allocation.declared_weight import allocate_by_declared_weight
from funding.allocation.largest_remainder import (
    ERROR_ALL_ZERO,
    ERROR_NO_CANDIDATES,
    ERROR_WEIGHT_NEGATIVE,
    RULE_CENT_TIE,
    RULE_EXACT,
    RULE_FLOOR_TIE,
    RULE_ZERO,
    largest_remainder_cents,
)
from funding.allocation.values import ERROR_FLOAT

ONE_CENT = Fraction(1, 100)


def split(total: str, *weights, codes=None):
    codes = codes or [f"C{index:03d}" for index in range(len(weights))]
    candidates = [
        Candidate(key=f"k{index}", code=code, weight=weight)
        for index, (code, weight) in enumerate(zip(codes, weights, strict=True))
    ]
    return allocate_by_declared_weight(total=Decimal(total), candidates=candidates)


def amounts(result):
    return [row.amount for row in result.rows]


def test_leftover_cents_go_to_the_largest_remainders_before_any_tie_break():
    # 0.04 € over 2:1:1:1 → exact 1.6, 0.8, 0.8, 0.8 cents; floors 1+0+0+0, three cents left over.
    # The three remainders of 0.8 beat the 0.6 of the heaviest weight: remainder comes first.
    result = split("0.04", 2, 1, 1, 1)
    assert amounts(result) == [Decimal("0.01")] * 4
    assert [row.rule_params["rank"] for row in result.rows] == ["", "1", "2", "3"]


def test_a_split_without_remainders_says_no_rounding_was_needed():
    exact = split("0.10", 3, 1, 1, 1, 4)
    assert amounts(exact) == [Decimal(x) for x in ("0.03", "0.01", "0.01", "0.01", "0.04")]
    assert {row.rule for row in exact.rows} == {RULE_EXACT}


def test_equal_remainders_and_equal_weights_the_smaller_code_wins():
    result = split("0.01", 1, 1, codes=["B", "A"])
    assert amounts(result) == [Decimal("0.00"), Decimal("0.01")]
    assert result.rows[1].rule == RULE_CENT_TIE
    assert result.rows[0].rule == RULE_FLOOR_TIE

    # 0.03 € over 2, 2, 1, 1 → 1, 1, 0.5, 0.5 cents: one cent left, the two halves tie → code A.
    tied = split("0.03", 2, 2, 1, 1, codes=["D", "C", "B", "A"])
    assert amounts(tied) == [Decimal("0.01"), Decimal("0.01"), Decimal("0.00"), Decimal("0.01")]


def test_equal_remainders_the_larger_weight_wins_before_the_code():
    # 0.02 € over weights 1 and 3 → 0.5 and 1.5 cents: equal remainders of half a cent, one cent
    # left over. The larger weight wins although its code comes later.
    result = split("0.02", 1, 3, codes=["A", "Z"])
    assert amounts(result) == [Decimal("0.00"), Decimal("0.02")]
    assert result.rows[1].rule == RULE_CENT_TIE
    assert "equal remainder" in result.rows[1].rule_text


def test_codes_order_as_text_so_istat_codes_keep_their_leading_zeros():
    result = split("0.01", 5, 5, codes=["010001", "001272"])
    assert amounts(result) == [Decimal("0.00"), Decimal("0.01")]


def test_zero_weight_gets_nothing_and_says_so():
    result = split("100.00", 0, 1, 2)
    assert amounts(result) == [Decimal("0.00"), Decimal("33.33"), Decimal("66.67")]
    assert result.rows[0].rule == RULE_ZERO
    assert result.rows[0].outcome == "not_funded"


def test_decimal_weights_split_as_their_ratios():
    as_decimals = split("1000.00", Decimal("1.5"), Decimal("0.25"), 2)
    as_integers = split("1000.00", 150, 25, 200)
    assert amounts(as_decimals) == amounts(as_integers)
    assert sum(amounts(as_decimals)) == Decimal("1000.00")


def test_a_zero_total_gives_zero_to_everyone():
    result = split("0.00", 1, 2, 3)
    assert amounts(result) == [Decimal("0.00")] * 3


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        ("10.00", [1, 0, 0], None),
        ("10.00", [0, 0], ERROR_ALL_ZERO),
        ("10.00", [], ERROR_NO_CANDIDATES),
    ],
)
def test_all_zero_or_no_weights_are_refused(total, weights, message):
    if message is None:
        assert split(total, *weights).allocated == Decimal(total)
    else:
        with pytest.raises(ValueError, match=re.escape(message)):
            split(total, *weights)


def test_low_level_function_refuses_negative_weights_and_floats():
    with pytest.raises(ValueError, match=re.escape(ERROR_WEIGHT_NEGATIVE % {"index": 2, "weight": -1})):
        largest_remainder_cents(total_cents=100, weights=[1, -1], codes=["a", "b"])
    with pytest.raises(ValueError, match=re.escape(ERROR_FLOAT % {"what": "Weight no. 1", "value": 0.5})):
        largest_remainder_cents(total_cents=100, weights=[0.5], codes=["a"])


def test_each_share_reports_its_exact_quota_and_leftover_rank():
    shares = largest_remainder_cents(total_cents=10, weights=[1, 1, 1], codes=["a", "b", "c"])
    assert [share.cents for share in shares] == [4, 3, 3]
    assert all(share.quota_cents == Fraction(10, 3) for share in shares)
    assert [share.leftover_rank for share in shares] == [1, None, None]
    assert all(share.tied for share in shares)


weights_strategy = st.one_of(
    st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=60),
    st.lists(
        st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=60,
    ),
).filter(lambda weights: any(weights))
totals_strategy = st.integers(min_value=0, max_value=10**12).map(lambda cents: Decimal(cents).scaleb(-2))


@settings(max_examples=200, deadline=None)
@given(weights=weights_strategy, total=totals_strategy)
def test_property_sum_is_exact_and_each_share_is_within_a_cent_of_its_quota(weights, total):
    candidates = [Candidate(key=str(i), code=f"{i:06d}", weight=w) for i, w in enumerate(weights)]
    result = allocate_by_declared_weight(total=total, candidates=candidates)
    assert sum(row.amount for row in result.rows) == total
    assert result.allocated == total
    assert result.unallocated == 0
    weight_total = sum(Fraction(w) for w in weights)
    for row, weight in zip(result.rows, weights, strict=True):
        assert row.quota == Fraction(total) * Fraction(weight) / weight_total
        assert abs(Fraction(row.amount) - row.quota) < ONE_CENT
        assert row.amount >= 0


@settings(max_examples=200, deadline=None)
@given(weights=weights_strategy, total=totals_strategy)
def test_property_more_weight_never_means_less_money(weights, total):
    candidates = [Candidate(key=str(i), code=f"{i:06d}", weight=w) for i, w in enumerate(weights)]
    rows = allocate_by_declared_weight(total=total, candidates=candidates).rows
    # Sorted by weight (then amount among equals), the amounts never go down: the heaviest of the
    # lighter group never gets more than the least paid of the heavier one.
    by_weight = sorted(rows, key=lambda row: (row.weight, row.amount))
    for lighter, heavier in itertools.pairwise(by_weight):
        assert lighter.amount <= heavier.amount
        if lighter.weight == heavier.weight:
            assert heavier.amount - lighter.amount <= Decimal("0.01")


@settings(max_examples=100, deadline=None)
@given(weights=weights_strategy, total=totals_strategy, data=st.data())
def test_property_the_order_of_the_candidates_does_not_change_anyone_s_share(weights, total, data):
    candidates = [Candidate(key=str(i), code=f"{i:06d}", weight=w) for i, w in enumerate(weights)]
    shuffled = data.draw(st.permutations(candidates))
    first = allocate_by_declared_weight(total=total, candidates=candidates).amounts()
    second = allocate_by_declared_weight(total=total, candidates=shuffled).amounts()
    assert first == second
