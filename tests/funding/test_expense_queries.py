"""Pinned query counts of the expense reports' list (page and API), for the official and for the
beneficiary's staff: the same for a few reports as for more than two pages of them (issue 14)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.choices import ExpenseReportStatus
from funding.models import ExpenseLine, ExpenseReport
from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import bulk_ledger
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
FEW, MANY = 5, 120


def _reports(beneficiary, n: int, year: int) -> None:
    """`n` submitted reports, each on its own grant of `beneficiary` (chapters of `year`), with two
    expense lines."""
    commitments = bulk_ledger(n, year=year, beneficiary=beneficiary)["commitments"]
    reports = ExpenseReport.objects.bulk_create(
        ExpenseReport(commitment=c, status=ExpenseReportStatus.SUBMITTED) for c in commitments
    )
    ExpenseLine.objects.bulk_create(
        ExpenseLine(
            report=report,
            description=f"Fattura {k}",
            supplier_name="Fornitore S.r.l.",
            supplier_vat_number="01234567897",
            invoice_number=f"{report.pk}/{k}",
            invoice_date=datetime.date(2030, 6, 1),
            net_amount=Decimal("100.00"),
            vat_amount=Decimal("22.00"),
            total_amount=Decimal("122.00"),
        )
        for report in reports
        for k in (1, 2)
    )


def _queries(client, url) -> tuple[int, object]:
    client.get(url)  # the session's first write and per-process caches, outside the measure
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("role", [Role.REGIONAL_OFFICIAL, Role.APPLICANT])
def test_expense_report_page_and_api_cost_the_same_for_few_and_many(client, role):
    beneficiary = OrganisationFactory()
    user = make_user(role, organisation=beneficiary) if role == Role.APPLICANT else make_user(role)
    client.force_login(user)
    api = api_client_for(user)
    page, endpoint = reverse("funding:expense_list"), reverse("v1:expense-report-list")
    _reports(beneficiary, FEW, 2030)
    page_few, _ = _queries(client, page)
    api_few, _ = _queries(api, endpoint)
    _reports(beneficiary, MANY - FEW, 2031)
    page_many, response = _queries(client, page)
    api_many, api_response = _queries(api, endpoint)
    assert (page_many, api_many) == (page_few, api_few)
    assert api_response.json()["count"] == MANY
    assert len(api_response.json()["results"]) == 50
    assert {r["status"] for r in api_response.json()["results"]} == {ExpenseReportStatus.SUBMITTED}
    assert "244,00" in response.content.decode()  # each report's lines added up in the same query
