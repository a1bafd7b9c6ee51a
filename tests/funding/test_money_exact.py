"""Aggregated money figures are Decimals to the cent on SQLite as on PostgreSQL.

SQLite adds decimals as floats: the 1,181 COVID commitments summed there used to come back as
499999.880000001. Every figure read through a MoneyField (columns, sums, money arithmetic) is now
quantized to the cent when it leaves the database.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum

from funding.models import Commitment
from funding.selectors import (
    CHAPTER_FIGURES,
    chapter_figures,
    chapter_rows,
    chapter_status,
    commitment_rows,
    commitment_status,
    reservation_rows,
    reservation_status,
)
from funding.services import allocation as allocation_services
from tests.funding.test_reports import export, pdf_text, read_csv, read_xlsx
from tests.funding.test_scenarios import TODAY, covid_call, official, programme  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

COVID = Decimal("499999.88")


def exact(value: Decimal, expected: str) -> bool:
    """Equal, and written with exactly two decimals (no float residue, no lost places)."""
    return isinstance(value, Decimal) and str(value) == expected


def test_covid_figures_are_exact_to_the_cent(programme, official):  # noqa: F811
    call = covid_call(programme["COVID"])
    allocation = allocation_services.allocation_propose(actor=official, call=call)
    allocation_services.allocation_adopt(
        actor=official, allocation=allocation, act_number="129", act_date=TODAY
    )

    chapter = chapter_status(user=official).get(number="151120", year=2020)
    assert exact(chapter.committed, "499999.88")
    assert exact(chapter.reserved, "1599999.88")
    assert exact(chapter.available, "50000.12")
    assert exact(chapter.committed_net, "499999.88")
    assert exact(chapter.to_liquidate, "499999.88")
    assert exact(chapter.reserved_uncommitted, "1100000.00")
    chapters, totals = chapter_figures(user=official, year=2020)
    assert exact(totals["committed"], "499999.88")
    # The pages' figures (four sums in SQL, the rest derived in Python) are the API's (all in SQL).
    in_python = next(c for c in chapters if c.pk == chapter.pk)
    for name in CHAPTER_FIGURES:
        assert exact(getattr(in_python, name), str(getattr(chapter, name))), name

    reservation = reservation_status(user=official).get(pk=programme["COVID"].pk)
    assert exact(reservation.committed, "499999.88")
    assert exact(reservation.available, "0.00")

    plain = Commitment.objects.filter(reservation=programme["COVID"]).aggregate(t=Sum("amount"))["t"]
    assert exact(plain, "499999.88")
    figures = commitment_status(user=official).filter(reservation=programme["COVID"])
    assert exact(figures.aggregate(t=Sum("to_liquidate"))["t"], "499999.88")

    # The API's rows derive the same figures in Python from the same sums, to the cent.
    in_sql = {c.pk: c for c in figures}
    for row in commitment_rows(user=official).filter(reservation=programme["COVID"]):
        for name in ("liquidated_sum", "economies_sum", "net", "to_liquidate"):
            assert exact(getattr(row, name), str(getattr(in_sql[row.pk], name))), name
    row = reservation_rows(user=official).get(pk=programme["COVID"].pk)
    for name in ("committed", "economies", "committed_net", "liquidated", "to_liquidate", "available"):
        assert exact(getattr(row, name), str(getattr(reservation, name))), name
    chapter_row = chapter_rows(user=official).get(pk=chapter.pk)
    for name in CHAPTER_FIGURES:
        assert exact(getattr(chapter_row, name), str(getattr(chapter, name))), name

    # The chapter status report carries the same cents into every format.
    key, params = "funding.chapter_status", {"year": 2020}
    data, totals = read_xlsx(export(official, key, params, "xlsx"), key)
    assert data[0]["committed"] == totals["committed"] == COVID
    assert read_csv(export(official, key, params, "csv"), key)[0]["committed"] == COVID
    assert "499.999,88" in pdf_text(export(official, key, params, "pdf"))
