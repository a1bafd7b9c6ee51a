"""The common types: validation of what goes in, JSON storage of what comes out, the registry.

No database; the only Django import checks that the pure constants match the model choices.
"""

import datetime
import json
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from funding.allocation import (
    OUTCOMES,
    RANKED_METHODS,
    STRATEGIES,
    AllocationInput,
    AllocationResult,
    Candidate,
    base,
    compute,
    fixed_amount,
    largest_remainder,
    percentage_capped_ranked,
    ranking,
    with_granted,
)
from funding.allocation.base import ERROR_DUPLICATE_KEY, ERROR_SCHEMA, ERROR_SUBMITTED_AT
from funding.allocation.values import ERROR_FLOAT, ERROR_TOTAL_CENTS, ERROR_TOTAL_NEGATIVE
from funding.choices import AllocationMethod, AllocationOutcome

OPENING = datetime.datetime(2021, 3, 1, 9, 0, tzinfo=datetime.UTC)


def one(weight=1) -> tuple[Candidate, ...]:
    return (Candidate(key="a", code="a", weight=weight),)


def test_the_pure_constants_match_the_model_choices():
    assert set(STRATEGIES) == set(AllocationMethod.values)
    assert set(OUTCOMES) == set(AllocationOutcome.values)
    assert set(RANKED_METHODS) == {AllocationMethod.PERCENTAGE_CAPPED, AllocationMethod.FIXED}


def test_a_method_given_as_model_choice_is_stored_as_its_plain_value():
    allocation_input = AllocationInput(
        method=AllocationMethod.DECLARED_WEIGHT, total=Decimal("1.00"), candidates=one()
    )
    assert type(allocation_input.method) is str
    assert allocation_input.to_dict()["method"] == "declared_weight"
    assert compute(allocation_input).allocated == Decimal("1.00")


@pytest.mark.parametrize(
    ("total", "message"),
    [
        (Decimal("-0.01"), ERROR_TOTAL_NEGATIVE % {"total": "-0.01"}),
        (Decimal("10.005"), ERROR_TOTAL_CENTS % {"total": "10.005"}),
        (10.5, ERROR_FLOAT % {"what": "The total to split", "value": 10.5}),
    ],
)
def test_the_total_must_be_money_to_the_cent(total, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        AllocationInput(method="declared_weight", total=total, candidates=one())


def test_a_total_with_trailing_zeros_or_as_an_int_is_normalised_to_two_places():
    assert AllocationInput(method="fixed", total=Decimal("10.000"), candidates=()).total == Decimal("10.00")
    assert str(AllocationInput(method="fixed", total=10, candidates=()).total) == "10.00"


def test_candidates_refuse_floats_negative_weights_duplicates_and_naive_times():
    with pytest.raises(ValueError, match=re.escape(ERROR_FLOAT % {"what": "The weight of a", "value": 1.5})):
        Candidate(key="a", code="a", weight=1.5)
    with pytest.raises(ValueError, match="weights must be zero or more"):
        Candidate(key="a", code="a", weight=Decimal("-0.5"))
    with pytest.raises(ValueError, match=re.escape(ERROR_DUPLICATE_KEY % {"key": "a"})):
        AllocationInput(method="declared_weight", total=Decimal("1.00"), candidates=one() + one())
    with pytest.raises(ValueError, match=re.escape(ERROR_SUBMITTED_AT % {"key": "a"})):
        Candidate(key="a", code="a", weight=1, submitted_at=datetime.datetime(2021, 3, 1, 9, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="never float"):
        Candidate(key="a", code="a", weight=1, data={"ratio": 0.5})


def test_unknown_method_is_refused_with_the_known_ones():
    with pytest.raises(
        ValueError, match=re.escape("Unknown allocation method 'lottery' (known: declared_weight")
    ):
        compute(AllocationInput(method="lottery", total=Decimal("1.00"), candidates=one()))


def test_inputs_round_trip_through_json_exactly():
    candidate = Candidate(
        key="42",
        code="TO-0101",
        weight=Decimal("1999.90"),
        submitted_at=OPENING,
        score=Decimal("87.5"),
        data={"name": "Mario Rossi", "licence": "TO-0101", "seats": 4, "electric": True, "note": None},
    )
    allocation_input = AllocationInput(
        method="percentage_capped",
        total=Decimal("300000.00"),
        candidates=(candidate, Candidate(key="43", code="TO-0102", weight=2000, submitted_at=OPENING)),
        params={"percentage": Decimal("70"), "cap": Decimal("1500.00"), "allow_partial_last": True},
        reference_date=datetime.date(2021, 3, 1),
    )
    stored = json.loads(json.dumps(allocation_input.to_dict()))
    assert stored["params"] == {"percentage": "70", "cap": "1500.00", "allow_partial_last": True}
    assert AllocationInput.from_dict(stored) == allocation_input
    reread = AllocationInput.from_dict(stored).candidates
    assert isinstance(reread[0].weight, Decimal)
    assert isinstance(reread[1].weight, int)
    assert reread[0].submitted_at == OPENING


def test_results_round_trip_with_exact_quotas_and_refuse_an_unknown_layout():
    result = compute(
        AllocationInput(
            method="declared_weight",
            total=Decimal("100.00"),
            candidates=tuple(Candidate(key=k, code=k, weight=1) for k in "abc"),
        )
    )
    stored = json.loads(json.dumps(result.to_dict()))
    assert stored["rows"][0]["quota"] == "100/3"
    assert stored["rows"][0]["quota_decimal"] == "33.333333"
    assert stored["rows"][0]["rule_text"].startswith("Weight 1 of 3: exact quota 33.333333 €")
    assert stored["allocated"] == "100.00"
    reread = AllocationResult.from_dict(stored)
    assert reread == result
    assert reread.rows[0].quota == Fraction(100, 3)
    with pytest.raises(ValueError, match=re.escape(ERROR_SCHEMA % {"version": 99, "expected": 1})):
        AllocationResult.from_dict({**stored, "version": 99})


def test_with_granted_records_amounts_as_strings_for_the_next_round():
    params = with_granted({"percentage": "70"}, {"7": Decimal("1500.00")})
    assert params == {"percentage": "70", "granted": {"7": "1500.00"}}


def test_every_rule_is_a_short_msgid_that_its_rows_can_fill():
    rules = [
        value
        for module in (base, largest_remainder, percentage_capped_ranked, fixed_amount, ranking)
        for name, value in vars(module).items()
        if name.startswith("RULE_") and isinstance(value, str)
    ] + list(ranking.RULES.values())
    assert len(rules) >= 15
    for rule in rules:
        assert len(rule) < 300
        assert "{" not in rule  # %-style placeholders only, as gettext and Django expect
    candidates = tuple(
        Candidate(key=k, code=k, weight=Decimal(w), submitted_at=OPENING)
        for k, w in zip("abcd", ["0", "3", "1", "9"], strict=True)
    )
    for method, params in [
        ("declared_weight", {}),
        ("percentage_capped", {"percentage": "50", "cap": "4.00", "skip_unfundable": True}),
        ("percentage_capped", {"percentage": "50", "allow_partial_last": True}),
        ("fixed", {"amount": "2.00"}),
    ]:
        result = compute(
            AllocationInput(method=method, total=Decimal("3.33"), candidates=candidates, params=params)
        )
        for row in result.rows:
            assert "%(" not in row.rule_text
            assert len(row.rule_text) < 300
