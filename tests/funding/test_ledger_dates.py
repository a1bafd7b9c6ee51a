"""Dates of the ledger's acts (issue 9, item 10): no act in the future, no entry before the act it draws
on, no payment before its liquidation; each refusal names its rule on its field, in Italian and English,
and writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from funding.models import Commitment, Economy, Liquidation, Reservation
from funding.services import ledger
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ACT, make_commitment, make_reservation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)
BEFORE_ACT = ACT.date - datetime.timedelta(days=1)  # the day before the commitment's (and reservation's) act


def counts():
    return tuple(m.objects.count() for m in (Reservation, Commitment, Liquidation, Economy, AuditEvent))


def refused(call, **kwargs) -> dict[str, list]:
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    assert counts() == before
    return excinfo.value.error_dict


def codes(errors: dict, field: str) -> list[str]:
    return [e.code for e in errors[field]]


@pytest.fixture
def commitment():
    return make_commitment("1000.00")


def liquidate(commitment, **overrides):
    kwargs = {"actor": None, "commitment": commitment, "amount": "100.00", "date": TODAY, "act": ACT}
    return ledger.liquidation_create(**(kwargs | overrides))


def test_a_liquidation_date_in_the_future_is_refused(commitment):
    errors = refused(liquidate, commitment=commitment, date=TOMORROW)
    assert codes(errors, "date") == ["future"]
    assert errors["date"][0].message == ledger.ERROR_LIQUIDATION_DATE_FUTURE


def test_a_payment_date_before_the_liquidation_date_is_refused(commitment):
    errors = refused(liquidate, commitment=commitment, date=TODAY, payment_date=TODAY - datetime.timedelta(1))
    assert codes(errors, "payment_date") == ["payment_before_liquidation"]
    [error] = errors["payment_date"]
    with translation.override("it"):
        text = str(ValidationError(error.message, params=error.params).messages[0])
    assert "non può essere precedente alla data di liquidazione" in text


def test_a_payment_date_in_the_future_is_refused(commitment):
    errors = refused(liquidate, commitment=commitment, date=TODAY, payment_date=TOMORROW)
    assert codes(errors, "payment_date") == ["future"]


def test_a_liquidation_before_its_commitment_act_is_refused_naming_the_act(commitment):
    act = ledger.Act(number="77", date=BEFORE_ACT)
    errors = refused(liquidate, commitment=commitment, date=BEFORE_ACT, act=act)
    assert codes(errors, "date") == ["before_previous_act"]
    assert codes(errors, "act_date") == ["before_previous_act"]
    with translation.override("en"):
        [message] = ValidationError(errors["date"]).messages
    assert commitment.act in message
    assert "cannot precede the commitment it draws on" in message


def test_every_date_rule_of_a_liquidation_is_reported_at_once(commitment):
    errors = refused(
        liquidate,
        commitment=commitment,
        date=TOMORROW,
        act=ledger.Act(number="1", date=TOMORROW),
        payment_date=TOMORROW,
    )
    assert set(errors) == {"date", "act_date", "payment_date"}


def test_a_valid_liquidation_on_its_commitment_day_passes(commitment):
    liquidation = liquidate(commitment, date=ACT.date, act=ACT, payment_date=ACT.date)
    assert liquidation.payment_date == liquidation.date == ACT.date


def test_an_economy_follows_the_same_rules(commitment):
    economy = {"actor": None, "commitment": commitment, "amount": "10.00", "act": ACT}
    assert codes(refused(ledger.economy_create, **economy, date=TOMORROW), "date") == ["future"]
    errors = refused(ledger.economy_create, **economy, date=BEFORE_ACT)
    assert codes(errors, "date") == ["before_previous_act"]
    errors = refused(ledger.commitment_cancel, actor=None, commitment=commitment, date=BEFORE_ACT, act=ACT)
    assert codes(errors, "date") == ["before_previous_act"]


def test_a_commitment_may_precede_the_act_of_its_reservation():
    """History: the COVID grants (DD 129, 23 April 2020) came before the programme's DCR (15 December
    2020) that carries their reservation."""
    reservation = make_reservation("1000.00")
    commitment = ledger.commitment_create(
        actor=None,
        reservation=reservation,
        beneficiary=OrganisationFactory(),
        amount="10.00",
        act=ledger.Act(number="5", date=BEFORE_ACT),
    )
    assert commitment.act_date < reservation.act_date


def test_a_commitment_act_in_the_future_is_refused():
    reservation = make_reservation("1000.00")
    errors = refused(
        ledger.commitment_create,
        actor=None,
        reservation=reservation,
        beneficiary=OrganisationFactory(),
        amount="10.00",
        act=ledger.Act(number="5", date=TOMORROW),
    )
    assert codes(errors, "act_date") == ["future"]


def test_a_reservation_act_in_the_future_is_refused():
    reservation = make_reservation("10.00")
    errors = refused(
        ledger.reservation_create,
        actor=None,
        action=reservation.action,
        chapter=reservation.chapter,
        amount="10.00",
        act=ledger.Act(number="5", date=TOMORROW),
    )
    assert codes(errors, "act_date") == ["future"]


def test_the_liquidation_form_shows_each_rule_on_its_field(client, commitment):
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    url = reverse("funding:liquidation_create", args=[commitment.pk])
    data = {"amount": "100,00", "reason": "saldo", "act_type": "dd", "act_number": "300"}
    before = counts()
    response = client.post(
        url,
        data
        | {
            "date": TOMORROW.isoformat(),
            "act_date": TODAY.isoformat(),
            "payment_date": TODAY.isoformat(),
        },
    )
    errors = response.context["form"].errors
    assert errors["date"] == ["La data di liquidazione non può essere futura."]
    response = client.post(
        url,
        data
        | {
            "date": TODAY.isoformat(),
            "act_date": TODAY.isoformat(),
            "payment_date": (TODAY - datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert (
        "non può essere precedente alla data di liquidazione"
        in response.context["form"].errors["payment_date"][0]
    )
    response = client.post(
        url, data | {"date": BEFORE_ACT.isoformat(), "act_date": BEFORE_ACT.isoformat(), "payment_date": ""}
    )
    assert "precedere l'impegno" in response.context["form"].errors["date"][0]
    assert counts() == before
    assert Liquidation.objects.count() == 0
    assert Decimal(Commitment.objects.get(pk=commitment.pk).liquidated_total) == 0


def test_verifying_an_expense_report_dated_before_the_commitment_is_refused_once(commitment):
    from funding.services import expenses

    staff = make_user(Role.APPLICANT, commitment.beneficiary)
    official = make_user(Role.REGIONAL_OFFICIAL)
    report = expenses.expense_report_create(actor=staff, commitment=commitment)
    line = expenses.expense_line_add(
        actor=staff,
        report=report,
        supplier_name="Forniture S.r.l.",
        supplier_vat_number="00743110157",
        invoice_number="FT-9",
        invoice_date=TODAY,
        description="Body-cam",
        net_amount="100.00",
        vat_amount="22.00",
        total_amount="122.00",
    )
    expenses.expense_report_submit(actor=staff, report=report)
    expenses.expense_line_set_eligibility(actor=official, line=line, eligible=True, reason="")
    errors = refused(
        expenses.expense_report_verify, actor=official, report=report, act_number="9", act_date=BEFORE_ACT
    )
    assert set(errors) == {"act_date"}
    assert codes(errors, "act_date") == ["before_previous_act"]


def test_the_database_refuses_a_payment_before_its_liquidation(commitment):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Liquidation.objects.create(
            commitment=commitment,
            amount=Decimal("1.00"),
            date=TODAY,
            reason="saldo",
            act_type="dd",
            act_number="1",
            act_date=TODAY,
            payment_date=TODAY - datetime.timedelta(days=1),
        )
