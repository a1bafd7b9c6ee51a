"""Factories and a synthetic report for the reporting tests.

EXPENSES is shaped like the expense lines of a rendicontazione (the model does not exist yet): its
rows come from a generator, so tests can ask for any number of them without touching the database.
"""

import datetime as dt
from decimal import Decimal

import factory
from django import forms
from django.utils import timezone

from portal.permissions import EXPORT
from reporting.choices import ExportFormat, ExportStatus
from reporting.models import ExportJob
from reporting.registry import Column, ColumnType, Report
from tests.factories import UserFactory

EXPENSES_KEY = "tests.expenses"


class ExpenseParams(forms.Form):
    rows = forms.IntegerField(label="Rows", min_value=0, max_value=1_000_000)
    fail_at = forms.IntegerField(label="Fail at row", required=False)


def expense_row(i: int) -> tuple:
    net = Decimal(1000 + i) + Decimal("0.50")
    vat = (net * Decimal("0.22")).quantize(Decimal("0.01"))
    return (
        f"Fornitore {i % 50} S.r.l.",
        f"{10000000000 + i:011d}",
        f"FT-{i:06d}",
        dt.date(2024, 1, 1) + dt.timedelta(days=i % 365),
        f"Body-cam modello X, riga {i}",
        net,
        vat,
        net + vat,
        dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
    )


def expense_rows(*, user, params):
    for i in range(params["rows"]):
        if params.get("fail_at") is not None and i == params["fail_at"]:
            raise RuntimeError("the selector broke")
        yield expense_row(i)


def expense_totals(n: int) -> tuple[Decimal, Decimal, Decimal]:
    rows = [expense_row(i) for i in range(n)]
    return (sum(r[5] for r in rows), sum(r[6] for r in rows), sum(r[7] for r in rows))


EXPENSES = Report(
    key=EXPENSES_KEY,
    title="Expense lines of the body-cam pilot",
    description="Synthetic rows for tests.",
    capability=EXPORT,
    form_class=ExpenseParams,
    references=("DCR 15 dicembre 2020 n. 89-19389", "Determinazione dirigenziale n. 123 del 01/02/2021"),
    columns=(
        Column("supplier", "Supplier", width=24),
        Column("vat_number", "VAT number", width=13),
        Column("invoice", "Invoice", width=11),
        Column("invoice_date", "Invoice date", ColumnType.DATE),
        Column("description", "Description", width=30),
        Column("net", "Net", ColumnType.MONEY, total=True),
        Column("vat", "VAT", ColumnType.MONEY, total=True),
        Column("total", "Total amount", ColumnType.MONEY, total=True),
        Column("recorded_at", "Recorded at", ColumnType.DATETIME),
    ),
    rows=expense_rows,
    count=lambda *, user, params: params["rows"],
)


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportJob

    report_key = EXPENSES_KEY
    params = factory.LazyFunction(lambda: {"rows": 10})
    format = ExportFormat.CSV
    status = ExportStatus.QUEUED
    requested_by = factory.SubFactory(UserFactory)
    queued_at = factory.LazyFunction(timezone.now)
