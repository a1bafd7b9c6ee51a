"""Ranked methods: the taxi call (percentage of the net, capped, a sportello or by score), the
fixed amount, and the scorrimento after withdrawals. Pure: no database."""

import datetime
import itertools
import re
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.allocation import (
    FUNDED,
    NOT_FUNDED,
    PARTLY_FUNDED,
    AllocationInput,
    AllocationResult,
    Candidate,
    compute,
    rerank_after_release,
)
from funding.allocation.fixed_amount import ERROR_AMOUNT, allocate_fixed_amount
from funding.allocation.percentage_capped_ranked import (
    ERROR_CAP,
    ERROR_PERCENTAGE,
    RULE_FULL_CAPPED,
    allocate_percentage_capped,
    percentage_capped_input,
    requested_contribution,
)
from funding.allocation.ranking import (
    AFTER_STOP,
    ERROR_GRANTED_ABOVE_TOTAL,
    ERROR_NO_SCORE,
    ERROR_NO_SUBMISSION_TIME,
    ERROR_NOT_RANKED,
    ERROR_RELEASED_UNKNOWN,
    NO_FIT_SKIPPED,
    NO_FIT_STOP,
    RULES,
)
from funding.allocation.values import ERROR_PARAM_BOOL
from portal.money import quantize_money

UTC = datetime.UTC
OPENING = datetime.datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
TAXI_TOTAL = Decimal("300000.00")
SEVENTY = Decimal("70")
CAP = Decimal("1500.00")


def taxi_candidates(count: int = 260) -> list[Candidate]:
    """Licensees with recorder quotes between about 1,300 and 2,600 € net, submitted a minute apart
    but listed out of order (the ranking must sort them)."""
    candidates = []
    for index in range(count):
        net = Decimal(1300 + (index * 397) % 1300) + Decimal(index % 100) / 100
        candidates.append(
            Candidate(
                key=f"app-{index:03d}",
                code=f"TO-{index:04d}",
                weight=net,
                submitted_at=OPENING + datetime.timedelta(minutes=(index * 7) % count),
            )
        )
    return candidates


def by_hand(net: Decimal) -> Decimal:
    return min(quantize_money(net * SEVENTY / 100), CAP)


def test_requested_is_the_percentage_of_the_net_rounded_half_up_then_capped():
    assert requested_contribution(expense=Decimal("1000.75"), percentage=SEVENTY, cap=CAP) == Decimal(
        "700.53"
    )
    # Banker's rounding would say 700.52: the house rule is half up.
    assert Decimal("700.525").quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Decimal("700.52")
    assert requested_contribution(expense=Decimal("2142.86"), percentage=SEVENTY, cap=CAP) == CAP
    assert requested_contribution(expense=Decimal("2142.85"), percentage=SEVENTY, cap=CAP) == Decimal(
        "1500.00"
    )
    assert requested_contribution(expense=Decimal("2000.00"), percentage=SEVENTY, cap=None) == Decimal(
        "1400.00"
    )


def test_taxi_call_funds_a_sportello_up_to_the_budget_and_partly_funds_the_last():
    candidates = taxi_candidates()
    result = allocate_percentage_capped(
        total=TAXI_TOTAL, candidates=candidates, percentage=SEVENTY, cap=CAP, allow_partial_last=True
    )
    ranked = sorted(candidates, key=lambda c: (c.submitted_at, c.code))
    assert [row.key for row in result.rows] == [c.key for c in ranked]
    assert [row.position for row in result.rows] == list(range(1, len(candidates) + 1))
    assert sum(by_hand(c.weight) for c in candidates) > TAXI_TOTAL  # more applicants than money

    for row, candidate in zip(result.rows, ranked, strict=True):
        assert row.requested == by_hand(candidate.weight)
        assert row.quota == min(Fraction(candidate.weight) * 7 / 10, Fraction(CAP))
    assert result.allocated == TAXI_TOTAL
    outcomes = [row.outcome for row in result.rows]
    partly = outcomes.index(PARTLY_FUNDED)
    assert set(outcomes[:partly]) == {FUNDED}
    assert set(outcomes[partly + 1 :]) == {NOT_FUNDED}
    last = result.rows[partly]
    funded_before = sum(row.amount for row in result.rows[:partly])
    assert last.amount == TAXI_TOTAL - funded_before
    assert 0 < last.amount < last.requested
    assert last.rule_text.startswith(f"No. {partly + 1} in the ranking")
    assert any(row.rule == RULE_FULL_CAPPED for row in result.rows[:partly])
    assert result.requested_total == sum(row.requested for row in result.rows)
    assert compute(AllocationResult.from_dict(result.to_dict()).input) == result


def small_call(**params):
    """Four applicants a sportello asking 1,000, 800, 300 and 200 € (percentage 100%), budget 1,500."""
    candidates = [
        Candidate(
            key=key, code=key, weight=Decimal(net), submitted_at=OPENING + datetime.timedelta(minutes=i)
        )
        for i, (key, net) in enumerate([("A", "1000.00"), ("B", "800.00"), ("C", "300.00"), ("D", "200.00")])
    ]
    return allocate_percentage_capped(
        total=Decimal("1500.00"), candidates=candidates, percentage=Decimal(100), **params
    )


def test_without_partial_funding_the_ranking_stops_at_the_first_that_does_not_fit():
    result = small_call()
    assert [row.amount for row in result.rows] == [Decimal(x) for x in ("1000.00", "0.00", "0.00", "0.00")]
    assert [row.outcome for row in result.rows] == [FUNDED, NOT_FUNDED, NOT_FUNDED, NOT_FUNDED]
    # C and D would fit in the 500 € left, but may not overtake B.
    assert result.rows[1].rule == RULES[NO_FIT_STOP]
    assert result.rows[1].rule_params["available"] == "500.00"
    assert result.rows[2].rule == RULES[AFTER_STOP]
    assert result.rows[2].rule_text == "No. 3 in the ranking: not funded, the ranking stopped at no. 2"
    assert result.unallocated == Decimal("500.00")


def test_with_skip_unfundable_later_smaller_applications_are_funded():
    result = small_call(skip_unfundable=True)
    assert [row.amount for row in result.rows] == [
        Decimal(x) for x in ("1000.00", "0.00", "300.00", "200.00")
    ]
    assert result.rows[1].rule == RULES[NO_FIT_SKIPPED]
    assert result.allocated == Decimal("1500.00")


def test_with_partial_funding_the_first_that_does_not_fit_gets_what_is_left():
    result = small_call(allow_partial_last=True)
    assert [row.amount for row in result.rows] == [Decimal(x) for x in ("1000.00", "500.00", "0.00", "0.00")]
    assert [row.outcome for row in result.rows] == [FUNDED, PARTLY_FUNDED, NOT_FUNDED, NOT_FUNDED]


def test_ranking_by_score_higher_first_then_earlier_submission_then_code():
    candidates = [
        Candidate(key="late-80", code="P3", weight=Decimal("100.00"), score=80, submitted_at=OPENING),
        Candidate(key="90", code="P9", weight=Decimal("100.00"), score=Decimal("90.5"), submitted_at=OPENING),
        Candidate(
            key="early-80",
            code="P5",
            weight=Decimal("100.00"),
            score=80,
            submitted_at=OPENING - datetime.timedelta(seconds=1),
        ),
        Candidate(key="same-time-80-P1", code="P1", weight=Decimal("100.00"), score=80, submitted_at=OPENING),
    ]
    result = allocate_percentage_capped(
        total=Decimal("150.00"), candidates=candidates, percentage=Decimal(50), ranking="score"
    )
    assert [row.key for row in result.rows] == ["90", "early-80", "same-time-80-P1", "late-80"]
    assert [row.amount for row in result.rows] == [Decimal("50.00")] * 3 + [Decimal("0.00")]


def test_scorrimento_gives_freed_money_to_the_next_in_the_ranking_and_never_takes_any_back():
    first = allocate_percentage_capped(
        total=TAXI_TOTAL, candidates=taxi_candidates(), percentage=SEVENTY, cap=CAP, allow_partial_last=True
    )
    partly = next(row for row in first.rows if row.outcome == PARTLY_FUNDED)
    withdrawn = [first.rows[0].key, first.rows[5].key]
    freed = first.rows[0].amount + first.rows[5].amount

    second = rerank_after_release(previous=first, released_keys=withdrawn)
    assert withdrawn[0] not in second.amounts()
    assert len(second.rows) == len(first.rows) - 2
    assert second.allocated == TAXI_TOTAL  # still more demand than money
    before = first.amounts()
    for row in second.rows:
        assert row.amount >= before[row.key]
    # The partly funded one is topped up first, then the next ones, in ranking order.
    assert second.row(partly.key).amount == partly.requested
    gained = {row.key: row.amount - before[row.key] for row in second.rows if row.amount > before[row.key]}
    assert sum(gained.values()) == freed
    assert second.input.params["released"] == {key: str(before[key]) for key in withdrawn}
    assert second.input.params["granted"][partly.key] == str(partly.amount)
    # The stored round-2 input re-runs to the same round-2 result on its own.
    assert compute(AllocationResult.from_dict(second.to_dict()).input) == second

    # Extra money from elsewhere goes the same way.
    third = rerank_after_release(previous=second, released_keys=[], extra_funds=Decimal("2000.00"))
    assert third.allocated == TAXI_TOTAL + Decimal("2000.00")
    assert all(row.amount >= second.row(row.key).amount for row in third.rows)


def test_scorrimento_moves_the_stop_of_a_ranking_without_partial_funding():
    first = small_call()
    second = rerank_after_release(previous=first, released_keys=["A"])
    assert second.amounts() == {
        "B": Decimal("800.00"),
        "C": Decimal("300.00"),
        "D": Decimal("200.00"),
    }


def test_scorrimento_refusals():
    first = small_call()
    with pytest.raises(ValueError, match=re.escape(ERROR_RELEASED_UNKNOWN % {"key": "Z"})):
        rerank_after_release(previous=first, released_keys=["Z"])
    with pytest.raises(ValueError, match="would make the total negative"):
        rerank_after_release(previous=first, released_keys=[], extra_funds=Decimal("-2000.00"))
    with pytest.raises(
        ValueError, match=re.escape(ERROR_GRANTED_ABOVE_TOTAL % {"granted": "1000.00", "total": "900.00"})
    ):
        rerank_after_release(previous=first, released_keys=[], extra_funds=Decimal("-600.00"))
    proportional = compute(
        AllocationInput(
            method="declared_weight",
            total=Decimal("1.00"),
            candidates=(Candidate(key="x", code="x", weight=1),),
        )
    )
    with pytest.raises(
        ValueError,
        match=re.escape(
            ERROR_NOT_RANKED % {"methods": "percentage_capped, fixed", "method": "declared_weight"}
        ),
    ):
        rerank_after_release(previous=proportional, released_keys=[])


def test_fixed_amount_for_everyone_when_the_total_suffices_else_in_ranking_order():
    candidates = [Candidate(key=f"org-{i}", code=f"{i:03d}", weight=1) for i in range(1, 6)]
    enough = allocate_fixed_amount(
        total=Decimal("10000.00"), candidates=candidates, amount=Decimal("2000.00")
    )
    assert set(enough.amounts().values()) == {Decimal("2000.00")}
    assert enough.unallocated == Decimal("0.00")

    short = allocate_fixed_amount(total=Decimal("7000.00"), candidates=candidates, amount=Decimal("2000.00"))
    assert [row.amount for row in short.rows] == [Decimal("2000.00")] * 3 + [Decimal("0.00")] * 2
    assert short.unallocated == Decimal("1000.00")
    partial = allocate_fixed_amount(
        total=Decimal("7000.00"), candidates=candidates, amount=Decimal("2000.00"), allow_partial_last=True
    )
    assert [row.outcome for row in partial.rows] == [FUNDED] * 3 + [PARTLY_FUNDED, NOT_FUNDED]
    assert partial.rows[3].amount == Decimal("1000.00")
    # The scorrimento works for fixed amounts too.
    after = rerank_after_release(previous=partial, released_keys=["org-1"])
    assert after.amounts() == {key: Decimal("2000.00") for key in ("org-2", "org-3", "org-4")} | {
        "org-5": Decimal("1000.00")
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"percentage": "0"}, ERROR_PERCENTAGE % {"value": "0"}),
        ({"percentage": "100.5"}, ERROR_PERCENTAGE % {"value": "100.5"}),
        ({"percentage": "70", "cap": "-1"}, ERROR_CAP % {"value": "-1"}),
        ({"percentage": "70", "cap": "10.001"}, ERROR_CAP % {"value": "10.001"}),
        (
            {"percentage": "70", "allow_partial_last": "false"},
            ERROR_PARAM_BOOL % {"name": "allow_partial_last", "value": "false"},
        ),
        ({"percentage": "70", "ranking": "score"}, ERROR_NO_SCORE % {"key": "A"}),
    ],
)
def test_percentage_call_refuses_bad_parameters(params, message):
    base = percentage_capped_input(
        total=Decimal("100.00"),
        candidates=[Candidate(key="A", code="A", weight=Decimal("10.00"), submitted_at=OPENING)],
        percentage=SEVENTY,
    )
    bad = AllocationInput(method=base.method, total=base.total, candidates=base.candidates, params=params)
    with pytest.raises(ValueError, match=re.escape(message)):
        compute(bad)


def test_ranked_calls_need_what_they_rank_by_and_a_valid_fixed_amount():
    without_time = [Candidate(key="A", code="A", weight=Decimal("10.00"))]
    with pytest.raises(ValueError, match=re.escape(ERROR_NO_SUBMISSION_TIME % {"key": "A"})):
        allocate_percentage_capped(total=Decimal("10.00"), candidates=without_time, percentage=SEVENTY)
    with pytest.raises(ValueError, match=re.escape(ERROR_AMOUNT % {"value": "0.001"})):
        allocate_fixed_amount(total=Decimal("10.00"), candidates=without_time, amount=Decimal("0.001"))


@st.composite
def ranked_calls(draw):
    count = draw(st.integers(min_value=1, max_value=40))
    nets = draw(st.lists(st.integers(min_value=0, max_value=400_000), min_size=count, max_size=count))
    minutes = draw(st.lists(st.integers(min_value=0, max_value=30), min_size=count, max_size=count))
    candidates = [
        Candidate(
            key=f"k{i}",
            code=f"c{i:03d}",
            weight=Decimal(net).scaleb(-2),
            submitted_at=OPENING + datetime.timedelta(minutes=minute),
        )
        for i, (net, minute) in enumerate(zip(nets, minutes, strict=True))
    ]
    total = Decimal(draw(st.integers(min_value=0, max_value=3_000_000))).scaleb(-2)
    percentage = Decimal(draw(st.integers(min_value=1, max_value=10_000))).scaleb(-2)
    cap = draw(
        st.one_of(st.none(), st.integers(min_value=1, max_value=200_000).map(lambda c: Decimal(c).scaleb(-2)))
    )
    flags = draw(st.sampled_from([(False, False), (True, False), (False, True)]))
    return candidates, total, percentage, cap, flags


@settings(max_examples=150, deadline=None)
@given(call=ranked_calls(), data=st.data())
def test_property_ranked_funding_stays_within_budget_and_requests_and_scorrimento_never_reduces(call, data):
    candidates, total, percentage, cap, (partial, skip) = call
    result = allocate_percentage_capped(
        total=total,
        candidates=candidates,
        percentage=percentage,
        cap=cap,
        allow_partial_last=partial,
        skip_unfundable=skip,
    )
    assert result.allocated <= total
    assert result.allocated + result.unallocated == total
    for row in result.rows:
        assert 0 <= row.amount <= row.requested
        assert row.requested == requested_contribution(expense=row.weight, percentage=percentage, cap=cap)
    times = [(row.key, candidates[int(row.key[1:])].submitted_at) for row in result.rows]
    assert [t for _k, t in times] == sorted(t for _k, t in times)
    asking = [row for row in result.rows if row.requested > 0]
    if not skip:
        # Funded in ranking order: no one is paid after someone who asked and got less than asked.
        for earlier, later in itertools.combinations(asking, 2):
            if earlier.amount < earlier.requested:
                assert later.amount == 0
    if partial:
        assert result.allocated == min(total, sum(row.requested for row in result.rows))

    released = data.draw(st.sets(st.sampled_from([row.key for row in result.rows])))
    extra = Decimal(data.draw(st.integers(min_value=0, max_value=500_000))).scaleb(-2)
    second = rerank_after_release(previous=result, released_keys=released, extra_funds=extra)
    before = result.amounts()
    assert {row.key for row in second.rows} == set(before) - released
    for row in second.rows:
        assert before[row.key] <= row.amount <= row.requested
    assert second.allocated <= total + extra
    assert compute(second.input) == second
