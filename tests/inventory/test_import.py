"""Bulk import from CSV and XLSX: all or nothing, errors by row and column, idempotent."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from inventory.choices import DeviceStatus
from inventory.models import Assignment, Device, DeviceStatusChange
from inventory.services.imports import ImportRefused, devices_import
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.inventory.factories import make_site, municipality

pytestmark = pytest.mark.django_db

HEADER = (
    "serial_number;manufacturer;model;kind;owner_tax_code;funding_source;commitment;asset_tag;"
    "purchase_date;cost_net;cost_vat;warranty_end;status;deploy_to;police_unit;officer_service_number;site"
)


@pytest.fixture
def owner(comuni):
    organisation = municipality()
    organisation.tax_code = "00514490010"
    organisation.save(update_fields=["tax_code"])
    make_site(organisation, name="Piazza Castello")
    return organisation


def csv_file(*lines, name="dispositivi.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8"))


GOOD = [
    "BC-001;Axon;Body 3;bodycam;00514490010;own_funds;;RP-001;2023-03-01;349,90;76,98;2026-03-01;"
    "deployed;officer;Reparto Centro;PL-0001;",
    "BC-002;Axon;Body 3;bodycam;00514490010;own_funds;;RP-002;01/03/2023;349.90;76.98;;in_stock;;;;",
    "CAM-01;Hikvision;DS-2CD;cctv;00514490010;own_funds;;;2023-03-01;1200;264;;deployed;site;;;"
    "Piazza Castello",
]


def test_a_good_file_registers_and_deploys_every_row(owner):
    result = devices_import(actor=None, uploaded=csv_file(*GOOD))
    assert len(result.created) == 3
    assert Device.objects.get(serial_number="BC-001").status == DeviceStatus.DEPLOYED
    assert Assignment.objects.get(device__serial_number="BC-001").officer_service_number == "PL-0001"
    assert Assignment.objects.get(device__serial_number="CAM-01").site.name == "Piazza Castello"
    assert str(Device.objects.get(serial_number="BC-002").cost_net) == "349.90"
    assert AuditEvent.objects.filter(action="inventory.import").count() == 1


def test_importing_the_same_file_again_changes_nothing(owner):
    devices_import(actor=None, uploaded=csv_file(*GOOD))
    counts = (Device.objects.count(), DeviceStatusChange.objects.count(), Assignment.objects.count())
    events = AuditEvent.objects.filter(action__startswith="inventory.device").count()
    again = devices_import(actor=None, uploaded=csv_file(*GOOD))
    assert (len(again.created), again.unchanged) == (0, 3)
    assert (Device.objects.count(), DeviceStatusChange.objects.count(), Assignment.objects.count()) == counts
    assert AuditEvent.objects.filter(action__startswith="inventory.device").count() == events


def test_one_bad_row_writes_nothing_and_every_error_is_named_by_row_and_column(owner):
    bad = [
        *GOOD,
        "BC-003;Axon;Body 3;bodycam;99999999999;own_funds;;;2023-13-01;-5;0;;;;;;",
        "BC-001;Axon;Body 3;bodycam;00514490010;own_funds;;;;1;0;;deployed;officer;Centro;Mario Rossi;",
    ]
    with pytest.raises(ImportRefused) as refused:
        devices_import(actor=None, uploaded=csv_file(*bad))
    found = {(e.row, e.column) for e in refused.value.errors}
    assert {(5, "owner_tax_code"), (5, "purchase_date"), (6, "serial_number")} <= found
    assert (6, "officer_service_number") in found or (6, "serial_number") in found
    assert Device.objects.count() == 0
    assert Assignment.objects.count() == 0


def test_an_xlsx_file_works_the_same(owner):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for line in GOOD:
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = devices_import(actor=None, uploaded=SimpleUploadedFile("dispositivi.xlsx", buffer.getvalue()))
    assert len(result.created) == 3


def test_a_beneficiary_imports_only_its_own_devices(owner):
    other = OrganisationFactory(tax_code="80087670016")
    user = make_user(Role.APPLICANT, other)
    with pytest.raises(ImportRefused) as refused:
        devices_import(actor=user, uploaded=csv_file(GOOD[1]))
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "owner_tax_code")]
    assert Device.objects.count() == 0


def test_the_import_page_lists_the_errors(client, owner):
    client.force_login(make_user(Role.APPLICANT, owner))
    response = client.post(
        reverse("inventory:device_import"),
        {"file": csv_file("X;Axon;Body 3;robot;00514490010;own_funds;;;;1;0;;;;;;")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "kind" in html
    assert "non è uno tra" in html or "robot" in html
    response = client.post(reverse("inventory:device_import"), {"file": csv_file(*GOOD)})
    assert response.status_code == 302
    assert Device.objects.count() == 3
