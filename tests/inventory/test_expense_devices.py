"""From money to hardware: a taxi licensee registers its recorder on the expense report; the official
verifies only once the devices cover the invoiced quantity; a serial on another grant is refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding.choices import ExpenseReportStatus
from funding.services.expenses import (
    expense_line_add,
    expense_line_set_eligibility,
    expense_report_create,
    expense_report_submit,
    expense_report_verify,
)
from inventory.choices import DeviceKind, FundingSource
from inventory.models import CallDeviceRule, Device
from inventory.services.claims import expense_devices_register, invoiced_devices_set
from portal.choices import OrganisationKind, Role
from tests.factories import OrganisationFactory, make_user
from tests.inventory.factories import DeviceModelFactory, register, torino
from tests.inventory.grants import make_device_call, make_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxi(comuni):
    call = make_device_call(title="Registratori di evento")
    CallDeviceRule.objects.create(call=call, kind=DeviceKind.EDR, require_coverage=True)
    licensee = OrganisationFactory(
        kind=OrganisationKind.TAXI_LICENSEE, name="Mario Rossi", comune=torino(), licence_number="TO-0101"
    )
    grant = make_grant(call, licensee, "1500.00")
    user = make_user(Role.APPLICANT, licensee)
    official = make_user(Role.REGIONAL_OFFICIAL, OrganisationFactory(kind=OrganisationKind.REGION))
    report = expense_report_create(actor=user, application=grant.application)
    line = expense_line_add(
        actor=user,
        report=report,
        supplier_name="Autovision Srl",
        supplier_vat_number="00743110157",
        invoice_number="F-77",
        invoice_date=datetime.date(2024, 3, 1),
        description="Registratore EventBox 2 e installazione",
        net_amount="2100.00",
        vat_amount="462.00",
        total_amount="2562.00",
    )
    model = DeviceModelFactory(kind=DeviceKind.EDR, manufacturer="Autovision", name="EventBox 2")
    return {
        "call": call,
        "grant": grant,
        "user": user,
        "official": official,
        "report": report,
        "line": line,
        "model": model,
        "licensee": licensee,
    }


def submit_and_decide(t):
    expense_report_submit(actor=t["user"], report=t["report"])
    expense_line_set_eligibility(actor=t["official"], line=t["line"], eligible=True)


def verify(t):
    return expense_report_verify(
        actor=t["official"], report=t["report"], act_number="55/2024", act_date=datetime.date(2024, 4, 2)
    )


def test_verification_waits_for_the_recorder_then_passes(taxi):
    submit_and_decide(taxi)
    with pytest.raises(ValidationError) as exc:
        verify(taxi)
    assert exc.value.error_dict["devices"][0].code == "none_declared"
    taxi["report"].refresh_from_db()
    assert taxi["report"].status == ExpenseReportStatus.SUBMITTED  # nothing written


def test_a_taxi_licensee_registers_its_recorder_and_the_official_verifies(taxi):
    invoiced_devices_set(actor=taxi["user"], line=taxi["line"], model=taxi["model"], quantity=1)
    (device,) = expense_devices_register(actor=taxi["user"], line=taxi["line"], serials=["EB2-000123"])
    assert device.funding_source == FundingSource.GRANT
    assert device.commitment == taxi["grant"]
    assert device.expense_line == taxi["line"]
    assert (device.cost_net, device.cost_vat) == (Decimal("2100.00"), Decimal("462.00"))
    submit_and_decide(taxi)
    report = verify(taxi)
    assert report.status == ExpenseReportStatus.VERIFIED


def test_fewer_devices_than_invoiced_block_verification(taxi):
    invoiced_devices_set(actor=taxi["user"], line=taxi["line"], model=taxi["model"], quantity=2)
    expense_devices_register(actor=taxi["user"], line=taxi["line"], serials=["EB2-1"])
    submit_and_decide(taxi)
    with pytest.raises(ValidationError) as exc:
        verify(taxi)
    assert exc.value.error_dict["devices"][0].code == "coverage"
    assert "1 dei 2" in exc.value.messages[0] or "1 of 2" in exc.value.messages[0]


def test_more_serials_than_invoiced_are_refused(taxi):
    invoiced_devices_set(actor=taxi["user"], line=taxi["line"], model=taxi["model"], quantity=1)
    with pytest.raises(ValidationError) as exc:
        expense_devices_register(actor=taxi["user"], line=taxi["line"], serials=["A-1", "A-2"])
    assert exc.value.error_dict["serials"][0].code == "too_many"
    assert Device.objects.count() == 0


def test_a_serial_claimed_by_another_grant_is_refused_naming_it(taxi):
    other = register(
        commitment=make_grant(taxi["call"], OrganisationFactory(name="Anna Gallo")),
        model=taxi["model"],
        serial="EB2-SAME",
    )
    invoiced_devices_set(actor=taxi["user"], line=taxi["line"], model=taxi["model"], quantity=1)
    with pytest.raises(ValidationError) as exc:
        expense_devices_register(actor=taxi["user"], line=taxi["line"], serials=["EB2-SAME"])
    assert f"n. {other.commitment_id}" in exc.value.messages[0]
    assert "Anna Gallo" in exc.value.messages[0]


def test_the_page_of_the_report_devices(client, taxi):
    client.force_login(taxi["user"])
    url = reverse("inventory:expense_devices", args=[taxi["report"].pk])
    line = taxi["line"].pk
    response = client.post(
        url, {"line": line, "action": "declare", f"d{line}-model": taxi["model"].pk, f"d{line}-quantity": "1"}
    )
    assert response.status_code == 302
    response = client.post(url, {"line": line, "action": "serials", f"s{line}-serials": "EB2-9\n"})
    assert response.status_code == 302
    assert Device.objects.get().serial_number == "EB2-9"
    client.force_login(make_user(Role.APPLICANT, OrganisationFactory()))
    assert client.get(url).status_code == 403


def test_an_official_reads_the_coverage_but_changes_nothing(client, taxi):
    client.force_login(taxi["official"])
    url = reverse("inventory:expense_devices", args=[taxi["report"].pk])
    assert client.get(url).status_code == 200
    line = taxi["line"].pk
    response = client.post(
        url, {"line": line, "action": "declare", f"d{line}-model": taxi["model"].pk, f"d{line}-quantity": "1"}
    )
    assert response.status_code == 403
