"""The real 2020-2022 programme (DCR 15 dicembre 2020 n. 89-19389): every figure to the cent."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from funding.models import Action, BudgetChapter, Programme, Reservation
from funding.services.programme import programme_load

pytestmark = pytest.mark.django_db

CEILINGS = {
    ("151120", 2020): ("03", "03.02", "1650000.00"),
    ("136275", 2021): ("03", "03.02", "10000.00"),
    ("137612", 2021): ("01", "01.09", "149400.00"),
    ("137612", 2022): ("01", "01.02", "175500.00"),
    ("234048", 2021): ("03", "03.02", "45000.00"),
    ("234048", 2022): ("03", "03.02", "45000.00"),
}


def test_programme_matches_the_deliberation():
    programme = programme_load()
    assert programme.act_number == "89-19389"
    assert str(programme.act_date) == "2020-12-15"
    assert [a.title for a in programme.axes.order_by("number")] == [
        "Interventi di supporto",
        "Sistemi di sicurezza integrata",
        "Interventi di inclusione sociale",
    ]
    chapters = {(c.number, c.year): c for c in BudgetChapter.objects.all()}
    assert set(chapters) == set(CEILINGS)
    for key, (missione, programma, ceiling) in CEILINGS.items():
        assert (chapters[key].missione, chapters[key].programma) == (missione, programma)
        assert chapters[key].appropriation == Decimal(ceiling)

    on_151120 = sorted(
        Reservation.objects.filter(chapter=chapters[("151120", 2020)]).values_list("amount", flat=True)
    )
    assert on_151120 == [Decimal("300000.00"), Decimal("499999.88"), Decimal("800000.00")]
    assert chapters[("151120", 2020)].reserved_total == Decimal("1599999.88")

    def reserved(number, year):
        return Reservation.objects.filter(chapter=chapters[(number, year)]).aggregate(t=Sum("amount"))["t"]

    assert reserved("136275", 2021) == Decimal("10000.00")
    assert reserved("234048", 2021) == Decimal("45000.00")
    assert reserved("234048", 2022) == Decimal(
        "45000.00"
    )  # 25,000.00 tech control + 20,000.00 neighbourhood watch
    assert reserved("137612", 2021) + reserved("137612", 2022) == Decimal("100000.00")
    assert Action.objects.filter(reservations__isnull=True).count() == 3  # actions with no money yet


def test_loading_twice_changes_nothing():
    programme_load()
    counts = (Programme.objects.count(), Action.objects.count(), Reservation.objects.count())
    programme_load()
    assert (Programme.objects.count(), Action.objects.count(), Reservation.objects.count()) == counts
