"""The inventory's reports through reporting/: the register, funded vs deployed per call, a
device's history, as a beneficiary and as an auditor would export them (XLSX read back, PDF made)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inventory.choices import DeviceKind, DeviceStatus
from inventory.services.deployment import device_deploy
from inventory.services.devices import device_transition
from portal.choices import OrganisationKind, Role
from tests.factories import OrganisationFactory, make_user
from tests.inventory.factories import municipality, officer, register
from tests.inventory.grants import make_device_call, make_grant

pytestmark = pytest.mark.django_db


def export(client, key, fmt, **params):
    return client.post(reverse("reporting:run", args=[key]), {"format": fmt, **params})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows_of(response):
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).worksheets[0]
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def data(comuni):
    call = make_device_call(title="Body-cam")
    torino = municipality()
    grant = make_grant(call, torino)
    devices = [register(commitment=grant, serial=f"BC-{n}", kind=DeviceKind.BODYCAM) for n in range(3)]
    device_deploy(actor=None, device=devices[0], target=officer(number="PL-0007"))
    device_transition(actor=None, device=devices[1], to_status=DeviceStatus.FAULTY, reason="Cavo rotto")
    other = register(owner=OrganisationFactory(), serial="ALTRO-1")
    return {"call": call, "torino": torino, "devices": devices, "other": other}


def test_the_register_as_xlsx_shows_only_what_the_user_may_see(client, data):
    client.force_login(make_user(Role.APPLICANT, data["torino"]))
    response = export(client, "inventory.register", "xlsx")
    assert response.status_code == 200
    text = str(rows_of(response))
    assert "BC-1" in text
    assert "ALTRO-1" not in text


def test_funded_vs_deployed_and_history_for_an_auditor(client, data):
    client.force_login(make_user(Role.AUDITOR, OrganisationFactory(kind=OrganisationKind.REGION)))
    funded = rows_of(export(client, "inventory.funded_vs_deployed", "xlsx", call=data["call"].code))
    (torino,) = [r for r in funded if r and r[0] == "Comune di Torino"]
    assert list(torino[5:10]) == [3, 1, 0, 1, 0]  # registered, deployed, producing, faulty, decommissioned
    history = export(client, "inventory.device_history", "pdf", device=data["devices"][1].pk)
    assert history.status_code == 200
    assert body(history).startswith(b"%PDF")
    csv = body(export(client, "inventory.device_history", "csv", device=data["devices"][1].pk)).decode()
    assert "Cavo rotto" in csv


def test_a_device_history_offers_only_the_users_devices_by_tag_and_serial(client, data):
    client.force_login(make_user(Role.APPLICANT, data["torino"]))
    page = client.get(reverse("reporting:run", args=["inventory.device_history"]))
    assert "BC-1" in page.content.decode()  # chosen by serial, not by typing an id
    assert "ALTRO-1" not in page.content.decode()
    refused = export(client, "inventory.device_history", "csv", device=data["other"].pk)
    assert refused.status_code == 400
    assert "ALTRO-1" not in refused.content.decode()
