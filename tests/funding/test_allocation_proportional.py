"""The two proportional methods on the programme's own cases: the COVID split over every comune by
population (read straight from the ISTAT file, no database) and the body-cam split by officers."""

import csv
import datetime
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from funding.allocation import AllocationInput, AllocationResult, Candidate, compute
from funding.allocation.declared_weight import allocate_by_declared_weight, declared_weight_input
from funding.allocation.proportional_population import (
    ERROR_ISTAT_CODE,
    ERROR_POPULATION,
    ERROR_REFERENCE_DATE_MISSING,
    allocate_by_population,
    population_input,
)
from funding.allocation.values import ERROR_UNKNOWN_PARAMS

CSV_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "piemonte_comuni.csv"
COVID_TOTAL = Decimal("499999.88")
JAN_2022 = datetime.date(2022, 1, 1)
TORINO = "001272"


def read_comuni() -> list[dict[str, str]]:
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def populations() -> dict[str, int]:
    return {row["istat_code"]: int(row["population_2022"]) for row in read_comuni()}


@pytest.fixture(scope="module")
def covid(populations) -> AllocationResult:
    return allocate_by_population(total=COVID_TOTAL, populations=populations, reference_date=JAN_2022)


def test_the_file_has_the_comuni_and_residents_the_domain_states(populations):
    assert len(populations) == 1181
    assert sum(populations.values()) == 4_256_350


def test_covid_split_adds_up_to_the_cent_and_each_share_is_within_a_cent(covid, populations):
    assert sum(row.amount for row in covid.rows) == COVID_TOTAL
    assert covid.allocated == COVID_TOTAL
    assert covid.unallocated == Decimal("0.00")
    assert len(covid.rows) == 1181
    residents = sum(populations.values())
    for row in covid.rows:
        assert row.quota == Fraction(COVID_TOTAL) * populations[row.key] / residents
        assert abs(Fraction(row.amount) - row.quota) < Fraction(1, 100)
        assert row.amount.as_tuple().exponent == -2
    assert covid.input.reference_date == JAN_2022
    assert covid.weight_total == residents


def test_torino_gets_what_the_rule_gives_by_hand(covid, populations):
    residents = sum(populations.values())
    total_cents = 49_999_988
    exact = {code: Fraction(total_cents * pop, residents) for code, pop in populations.items()}
    floors = {code: quota.numerator // quota.denominator for code, quota in exact.items()}
    leftover = total_cents - sum(floors.values())
    # The leftover cents go to the largest remainders (then larger population, then smaller code).
    by_remainder = sorted(exact, key=lambda code: (-(exact[code] - floors[code]), -populations[code], code))
    extra = 1 if TORINO in by_remainder[:leftover] else 0
    by_hand = Decimal(floors[TORINO] + extra) / 100

    torino = covid.row(TORINO)
    assert torino.amount == by_hand
    assert torino.weight == populations[TORINO]
    assert abs(Fraction(torino.amount) - exact[TORINO] / 100) < Fraction(1, 100)
    # The display rendering has six places, rounded half up: within half a millionth of a euro.
    assert abs(Fraction(torino.quota_decimal) - exact[TORINO] / 100) <= Fraction(1, 2 * 10**6)
    assert "of 4256350" in torino.rule_text


def test_covid_split_is_the_same_on_re_run_and_after_json_storage(covid, populations):
    assert compute(covid.input) == covid
    # What the service stores is JSON: Decimals as strings, quotas as exact fractions.
    stored = json.loads(json.dumps(covid.to_dict()))
    assert stored["total"] == "499999.88"
    assert stored["rows"][0]["amount"] == str(covid.rows[0].amount)
    reread = AllocationResult.from_dict(stored)
    assert reread == covid
    assert compute(reread.input) == covid
    assert compute(AllocationInput.from_dict(stored["input"])).amounts() == covid.amounts()
    # The input order of the caller does not matter: the builder sorts by ISTAT code.
    reversed_input = dict(reversed(list(populations.items())))
    again = allocate_by_population(total=COVID_TOTAL, populations=reversed_input, reference_date=JAN_2022)
    assert again == covid


def test_the_2023_figures_split_over_the_comuni_that_still_exist():
    populations = {
        row["istat_code"]: int(row["population_2023"]) for row in read_comuni() if row["population_2023"]
    }
    result = allocate_by_population(
        total=COVID_TOTAL, populations=populations, reference_date=datetime.date(2023, 1, 1)
    )
    assert result.allocated == COVID_TOTAL
    assert len(result.rows) == len(populations) < 1181


def test_population_split_refuses_a_missing_date_and_bad_codes_or_figures():
    with pytest.raises(ValueError, match=re.escape(ERROR_REFERENCE_DATE_MISSING)):
        compute(
            AllocationInput(
                method="population",
                total=Decimal("10.00"),
                candidates=(Candidate(key="001272", code="001272", weight=10),),
            )
        )
    with pytest.raises(ValueError, match=re.escape(ERROR_ISTAT_CODE % {"code": 1272, "length": 6})):
        population_input(total=Decimal("10.00"), populations={1272: 10}, reference_date=JAN_2022)
    with pytest.raises(ValueError, match=re.escape(ERROR_ISTAT_CODE % {"code": "1272", "length": 6})):
        population_input(total=Decimal("10.00"), populations={"1272": 10}, reference_date=JAN_2022)
    with pytest.raises(ValueError, match=re.escape(ERROR_POPULATION % {"code": "001272", "value": -1})):
        population_input(total=Decimal("10.00"), populations={"001272": -1}, reference_date=JAN_2022)
    with pytest.raises(ValueError, match=re.escape(ERROR_POPULATION % {"code": "001272", "value": "848748"})):
        population_input(total=Decimal("10.00"), populations={"001272": "848748"}, reference_date=JAN_2022)
    unknown = ERROR_UNKNOWN_PARAMS % {"method": "population", "unknown": "ranking", "known": "source"}
    with pytest.raises(ValueError, match=re.escape(unknown)):
        compute(
            AllocationInput(
                method="population",
                total=Decimal("10.00"),
                candidates=(Candidate(key="001272", code="001272", weight=10),),
                params={"ranking": "score"},
                reference_date=JAN_2022,
            )
        )


# --- Body-cam pilot: 800,000.00 € by officers in service ----------------------------------------------
# Officer counts are made up for the test; the bodies are those the programme names.
OFFICERS = {
    "Comune di Torino": ("001272", 1650),
    "Comune di Vercelli": ("002158", 62),
    "Comune di Novara": ("003106", 131),
    "Comune di Cuneo": ("004078", 74),
    "Comune di Asti": ("005005", 96),
    "Comune di Alessandria": ("006003", 118),
    "Comune di Biella": ("096004", 57),
    "Comune di Verbania": ("103072", 41),
    "Città metropolitana di Torino": ("201", 88),
    "Provincia di Vercelli": ("002", 14),
    "Provincia di Novara": ("003", 19),
    "Provincia di Cuneo": ("004", 27),
    "Provincia di Asti": ("005", 12),
    "Provincia di Alessandria": ("006", 23),
    "Provincia di Biella": ("096", 9),
    "Provincia del Verbano-Cusio-Ossola": ("103", 11),
}
BODYCAM_TOTAL = Decimal("800000.00")


def bodycam_candidates() -> list[Candidate]:
    return [
        Candidate(key=f"org-{index}", code=code, weight=officers, data={"name": name})
        for index, (name, (code, officers)) in enumerate(OFFICERS.items(), start=1)
    ]


def test_the_bodycam_split_follows_the_officers_in_service():
    capitals = {row["istat_code"] for row in read_comuni() if row["is_provincial_capital"] == "1"}
    assert capitals == {code for code, _ in OFFICERS.values() if len(code) == 6}

    result = allocate_by_declared_weight(
        total=BODYCAM_TOTAL, candidates=bodycam_candidates(), weight_label="officers in service"
    )
    assert result.allocated == BODYCAM_TOTAL
    officers = sum(count for _code, count in OFFICERS.values())
    for row, (code, count) in zip(result.rows, OFFICERS.values(), strict=True):
        assert row.code == code
        assert row.quota == Fraction(BODYCAM_TOTAL) * count / officers
        assert abs(Fraction(row.amount) - row.quota) < Fraction(1, 100)
    assert result.rows[0].amount == max(result.amounts().values())  # Torino, the largest force
    assert result.input.params == {"weight_label": "officers in service"}
    assert compute(AllocationResult.from_dict(result.to_dict()).input) == result


def test_a_declared_weight_split_refuses_negative_officers_and_unknown_parameters():
    with pytest.raises(ValueError, match="negative"):
        Candidate(key="org-1", code="001272", weight=-3)
    bad = declared_weight_input(total=BODYCAM_TOTAL, candidates=bodycam_candidates())
    bad = AllocationInput(
        method=bad.method, total=bad.total, candidates=bad.candidates, params={"cap": "1500.00"}
    )
    with pytest.raises(ValueError, match=re.escape("Unknown parameters for the declared_weight method: cap")):
        compute(bad)
