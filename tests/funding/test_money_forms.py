"""One money field in every HTML form: "1.000,00" in Italian everywhere, three decimals refused with
the cents rule, the API keeps plain decimals (issue 9, item 22)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from funding.choices import ApplicationStatus
from funding.models import ExpenseLine
from funding.services import expenses
from portal.formfields import ERROR_AMOUNT_CENTS, AmountField
from tests.funding.factories_calls import make_draft, make_taxi_applicant, make_taxi_call
from tests.funding.test_expenses import grant, line_data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _line_post(**amounts):
    data = line_data(**amounts)
    data["invoice_date"] = data["invoice_date"].isoformat()
    return data


def test_the_invoice_form_reads_italian_amounts(grant, client):  # noqa: F811
    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    client.force_login(grant["staff"])
    url = reverse("funding:expense_detail", args=[report.pk])
    response = client.post(
        url, _line_post(net_amount="1.000,00", vat_amount="220,00", total_amount="€ 1.220,00")
    )
    assert response.status_code == 302
    line = ExpenseLine.objects.get()
    assert (line.net_amount, line.vat_amount, line.total_amount) == (
        Decimal("1000.00"),
        Decimal("220.00"),
        Decimal("1220.00"),
    )


def test_three_decimals_are_refused_with_the_cents_rule(grant, client):  # noqa: F811
    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    client.force_login(grant["staff"])
    url = reverse("funding:expense_detail", args=[report.pk])
    response = client.post(url, _line_post(net_amount="1000,001", total_amount="1220,001"))
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override("it"):
        assert form.errors["net_amount"] == [str(ERROR_AMOUNT_CENTS)]
    assert "Inserisci un numero" not in response.content.decode()
    assert not ExpenseLine.objects.exists()


def test_the_application_form_reads_italian_amounts(client):
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org)
    client.force_login(user)
    response = client.post(
        reverse("funding:application_edit", args=[application.pk]),
        {
            "quote_net": "1.000,00",
            "quote_vat": "220,00",
            "vehicle_plate": "AB123CD",
            "licence_number": "TO-0101",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.quote_net == Decimal("1000.00")
    assert application.quote_vat == Decimal("220.00")
    page = client.get(reverse("funding:application_edit", args=[application.pk])).content.decode()
    assert 'value="1.000,00"' in page  # shown back as it was typed


def test_the_api_keeps_plain_decimals(client):
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org)
    client.force_login(user)
    url = f"/api/v1/applications/{application.pk}/"
    assert client.patch(url, {"quote_net": "1.000,00"}, content_type="application/json").status_code == 400
    response = client.patch(url, {"quote_net": "1000.50"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["quote_net"] == "1000.50"


@pytest.mark.parametrize(
    ("language", "text", "amount"),
    [
        ("it", "1.650.000,00", "1650000.00"),
        ("it", "1650000", "1650000.00"),
        ("it", "0,5", "0.50"),
        ("en", "1,650,000.00", "1650000.00"),
        ("en", "€1,000", "1000.00"),
    ],
)
def test_the_field_reads_the_active_language(language, text, amount):
    with translation.override(language):
        assert AmountField().clean(text) == Decimal(amount)


def test_every_model_form_gets_the_money_field():
    from funding.models import Application

    assert isinstance(Application._meta.get_field("quote_net").formfield(), AmountField)


# --- One rule for money (issue 10, item 4) -------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "allow_zero", "expected"),
    [
        ("1234.5", False, Decimal("1234.50")),
        (Decimal("0.10"), False, Decimal("0.10")),
        ("0", True, Decimal("0.00")),
        ("0.00", True, Decimal("0.00")),
    ],
)
def test_clean_amount_reads_to_the_cent(value, allow_zero, expected):
    from portal.money import clean_amount

    assert clean_amount(value, field="x", allow_zero=allow_zero) == expected


@pytest.mark.parametrize(
    ("value", "allow_zero", "message"),
    [
        ("0", False, "The amount must be greater than zero."),
        ("-1", False, "The amount must be greater than zero."),
        ("-1", True, "The amount cannot be negative."),
        ("1.005", False, "The amount must have at most two decimals (cents)."),
        (1.5, True, "Enter an amount in euros, e.g. 1234.56."),
        ("abc", True, "Enter an amount in euros, e.g. 1234.56."),
        ("1" * 15, False, "The amount is too large."),
    ],
)
def test_clean_amount_names_the_field_and_the_rule(value, allow_zero, message):
    from django.core.exceptions import ValidationError

    from portal.money import clean_amount

    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            clean_amount(value, field="x", allow_zero=allow_zero)
        assert excinfo.value.message_dict == {"x": [message]}


def test_a_negative_vat_is_refused_as_negative_not_as_not_positive(grant):  # noqa: F811
    """The two copies disagreed: the expense line said "greater than zero" of a VAT that may be zero,
    the application data "cannot be negative". portal.money's rule wins: zero allowed, negative refused
    as negative."""
    from django.core.exceptions import ValidationError

    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            expenses.expense_line_add(
                actor=grant["staff"],
                report=report,
                **line_data(vat_amount="-1.00", total_amount="999.00"),
            )
        assert excinfo.value.message_dict["vat_amount"] == ["The amount cannot be negative."]
    assert not ExpenseLine.objects.exists()
