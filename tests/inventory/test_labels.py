"""The labels PDF scans: its first page rendered to PNG (pdftoppm) holds QR codes that decode
(zxing-cpp) to each device's asset tag and URL."""

import io
import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from inventory.labels import labels_pdf
from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.inventory.factories import register

pytestmark = pytest.mark.django_db


def decode_page(pdf: bytes, page: int = 1) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    if not shutil.which("pdftoppm"):  # .ci/run installs it; a newcomer's `make test` may lack it
        pytest.skip("pdftoppm (poppler-utils) is not installed: the label's QR code cannot be read back")
    png = subprocess.run(  # noqa: S603 (fixed arguments, our own PDF on stdin)
        ["pdftoppm", "-png", "-r", "200", "-f", str(page), "-l", str(page), "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    return sorted(result.text for result in zxingcpp.read_barcodes(image))


def test_the_label_sheet_scans_back_to_asset_tags_and_urls(comuni):
    owner = OrganisationFactory(name="Comune di Prova")
    devices = [register(owner=owner, serial=f"SN-{n}", asset_tag=f"RP-BC-{n:04d}") for n in range(4)]
    pdf = labels_pdf(devices)
    assert pdf.startswith(b"%PDF")
    decoded = decode_page(pdf)
    expected = sorted(
        f"RP-BC-{n:04d}\n{settings.SITE_URL}{reverse('inventory:device_detail', args=[d.pk])}"
        for n, d in enumerate(devices)
    )
    assert decoded == expected


def test_labels_of_the_filtered_list_and_of_one_device(client, comuni):
    owner = OrganisationFactory()
    user = make_user(Role.APPLICANT, owner)
    mine = register(owner=owner, serial="MINE-1")
    other = register(serial="OTHER-1")
    client.force_login(user)
    response = client.get(reverse("inventory:labels"))
    assert response["Content-Type"] == "application/pdf"
    decoded = decode_page(response.content)
    assert len(decoded) == 1
    assert decoded[0].startswith("MINE-1\n")
    assert client.get(reverse("inventory:device_label", args=[other.pk])).status_code == 404
    assert client.get(reverse("inventory:device_label", args=[mine.pk])).status_code == 200
