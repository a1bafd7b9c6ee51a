"""The transparency register through the reporting renderers: the public XLSX and CSV, the art. 27
link to the call's public page, and the same register in the officials' report catalogue."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from funding.choices import AllocationMethod
from funding.models import Commitment
from funding.services import allocation as allocation_services
from funding.services.ledger import Act, commitment_create
from funding.services.transparency import grants_publish
from portal.choices import OrganisationKind, Role
from reporting.services.exports import export_start
from tests.factories import ComuneFactory, OrganisationFactory, make_user
from tests.funding.factories import make_admitted, make_allocation_call, make_reservation
from tests.funding.test_scenarios import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


@pytest.fixture
def granted_call(official):
    """A taxi call ranked and adopted by the services: its grant of 1,400.00 comes with the call."""
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED,
        params={"percentage": "70", "cap": "1500.00", "ranking": "submitted_at"},
        eligible_basis="net",
        title="Registratori di evento per i taxi",
    )
    licensee = OrganisationFactory(
        kind=OrganisationKind.TAXI_LICENSEE,
        name="Mario Rossi",
        tax_code="RSSMRA70A01L219K",
        comune=ComuneFactory(),
        licence_number="TO-1",
    )
    make_admitted(call, licensee, quote_net=Decimal("2000.00"), quote_vat=Decimal("440.00"))
    allocation = allocation_services.allocation_propose(actor=official, call=call)
    allocation_services.allocation_adopt(
        actor=official, allocation=allocation, act_number="600", act_date=TODAY
    )
    body = OrganisationFactory(name="Comune di Esempio", tax_code="00514490010")
    direct = commitment_create(  # a grant of the programme with no call behind it
        actor=official,
        reservation=make_reservation("5000.00"),
        beneficiary=body,
        amount=Decimal("2500.50"),
        act=Act(number="601", date=TODAY),
    )
    grants_publish(actor=official, commitments=[*Commitment.objects.filter(application__call=call), direct])
    call.refresh_from_db()
    return call


def test_the_link_to_the_project_is_the_calls_public_page(client, granted_call, settings):
    settings.SITE_URL = "https://sentinella.regione.example/"
    response = client.get(reverse("funding:transparency"), {"year": TODAY.year, "format": "json"})
    data = json.loads(b"".join(response.streaming_content))
    links = {g["beneficiary"]: g["project_url"] for g in data["grants"]}
    path = reverse("funding:call_detail", args=[granted_call.code])
    assert links == {"Mario Rossi": f"https://sentinella.regione.example{path}", "Comune di Esempio": ""}
    assert client.get(path).status_code == 200  # the page exists and needs no login


def test_public_xlsx_and_csv_come_from_the_reporting_renderers(client, granted_call):
    url = reverse("funding:transparency")
    response = client.get(url, {"year": TODAY.year, "format": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="contributi-{TODAY.year}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Anno", "Beneficiario", "Codice fiscale", "Importo (€)")  # the table starts at A1
    assert sheet.freeze_panes == "A2"
    by_name = {r[1]: r for r in rows[1:-1]}
    assert by_name["Mario Rossi"][2] is None  # a person's tax code is never published
    assert by_name["Comune di Esempio"][2] == "00514490010"
    assert rows[-1][0] == "Totale"
    assert Decimal(str(rows[-1][3])) == Decimal("1400.00") + Decimal("2500.50")
    assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=11).number_format == "dd/mm/yyyy"

    response = client.get(url, {"year": TODAY.year, "format": "csv", "beneficiary": "rossi"})
    assert response.streaming
    records = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["beneficiary"], r["tax_code"], r["amount"]) for r in records] == [
        ("Mario Rossi", "", "1400.00")
    ]
    assert records[0]["project_url"].endswith(f"/funding/calls/{granted_call.code}/")


def test_officials_and_auditors_export_the_register_from_the_catalogue(granted_call):
    auditor = make_user(Role.AUDITOR)
    export = export_start(
        user=auditor, report_key="funding.transparency", params={"year": TODAY.year}, fmt="xlsx"
    )
    sheet = load_workbook(io.BytesIO(export.content())).active
    assert sheet["A1"].value == "Contributi pubblicati (D.Lgs. 33/2013, art. 26-27)"
    assert "D.Lgs. 14 marzo 2013, n. 33" in sheet["A3"].value
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "Totale"
    assert Decimal(str(rows[-1][3])) == Decimal("3900.50")
    with pytest.raises(PermissionDenied):  # the public page is the way for everyone else
        export_start(
            user=make_user(Role.APPLICANT),
            report_key="funding.transparency",
            params={"year": TODAY.year},
            fmt="csv",
        )


def test_the_public_spreadsheet_goes_through_the_export_service_and_its_row_limit(
    client, granted_call, settings
):
    """Issue 10, item 8: the public page built its export directly, with no row limit; it now asks
    reporting's export service, which streams CSV whatever its size and builds an XLSX only within
    EXPORT_INLINE_MAX_ROWS."""
    settings.EXPORT_INLINE_MAX_ROWS = 1
    url = reverse("funding:transparency")
    response = client.get(url, {"year": TODAY.year, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 302
    assert "format" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "scegli CSV" in page
    response = client.get(url, {"year": TODAY.year, "format": "csv"})
    assert response.streaming
    assert len(list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))) == 2
