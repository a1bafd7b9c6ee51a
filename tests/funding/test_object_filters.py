"""Report and list filters ask for chapters, actions and beneficiaries by what people know them by,
not for internal ids; an impossible id is a clear 400, never a 500 (issue 9, items 16 and 21)."""

import pytest
from django.utils import translation

from funding.reports.expenses import LIQUIDATIONS
from portal.choices import Role
from tests.factories import make_user
from tests.funding.factories import make_commitment
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db


def test_the_liquidations_report_asks_for_codes_and_names():
    commitment = make_commitment("5000.00")
    with translation.override("it"):
        form = LIQUIDATIONS.form()
        labels = {name: str(field.label) for name, field in form.fields.items()}
        assert not any("(id)" in label for label in labels.values()), labels
        chapter_choices = [str(label) for _value, label in form.fields["chapter"].choices]
        assert str(commitment.reservation.chapter) in chapter_choices  # e.g. 151120/2020
        beneficiaries = [str(label) for _value, label in form.fields["beneficiary"].choices]
        assert commitment.beneficiary.name in beneficiaries
    cleaned = LIQUIDATIONS.clean_params({"chapter": commitment.reservation.chapter_id})
    assert cleaned["chapter"] == commitment.reservation.chapter


@pytest.mark.parametrize("value", ["20244948184538141928980480", "-4", "abc"])
def test_an_impossible_id_is_a_400(value):
    api = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    response = api.get("/api/v1/reservations/", {"programme": value})
    assert response.status_code == 400
    assert "programme" in response.json()
    assert api.get("/api/v1/commitments/", {"year": "99999999999999999999999"}).status_code == 400


def test_expense_reports_are_filtered_by_one_filterset_on_the_page_and_the_api(client):
    """ExpenseReportFilterSet serves the HTML list and the API (issue 10, item 6)."""
    from django.urls import reverse

    from funding.services import expenses

    commitment = make_commitment("5000.00")
    staff = make_user(Role.APPLICANT, commitment.beneficiary)
    advance = expenses.expense_report_create(actor=staff, commitment=commitment, is_final=False)
    api = api_client_for(staff)
    assert [
        r["id"] for r in api.get("/api/v1/expense-reports/", {"is_final": "false"}).json()["results"]
    ] == [advance.pk]
    assert api.get("/api/v1/expense-reports/", {"is_final": "true"}).json()["results"] == []
    assert api.get("/api/v1/expense-reports/", {"status": "nonsense"}).status_code == 400
    assert api.get("/api/v1/expense-reports/", {"commitment": "-4"}).status_code == 400
    client.force_login(staff)
    page = client.get(reverse("funding:expense_list"), {"status": "draft"})
    assert advance in page.context["reports"]
    page = client.get(reverse("funding:expense_list"), {"status": "submitted"})
    assert advance not in page.context["reports"]


def test_allocations_are_filtered_by_one_filterset(client):
    api = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    assert api.get("/api/v1/allocations/", {"call": "-4"}).status_code == 400
    assert api.get("/api/v1/allocations/", {"method": "nonsense"}).status_code == 400
    assert api.get("/api/v1/allocations/", {"status": "proposed", "round": 1}).status_code == 200
