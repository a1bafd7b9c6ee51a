"""Transparency: published grants over €1,000 per beneficiary and year, public, in three formats."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from funding.choices import ActType
from funding.forms.reports import TransparencyReportForm
from funding.models import GrantPublication
from funding.selectors.transparency import grants_to_publish
from funding.services import ledger
from funding.services.ledger import Act
from funding.services.transparency import grants_publish
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent
from tests.factories import ComuneFactory, OrganisationFactory, make_user
from tests.funding.factories import ACT, make_commitment, make_reservation

pytestmark = pytest.mark.django_db


@pytest.fixture
def grants():
    reservation = make_reservation("10000.00")
    body = OrganisationFactory(name="Comune di Esempio", tax_code="00514490010")
    person = OrganisationFactory(
        name="Mario Rossi",
        kind=OrganisationKind.TAXI_LICENSEE,
        tax_code="RSSMRA70A01L219K",
        comune=ComuneFactory(),
        licence_number="T-1",
    )
    small = OrganisationFactory(name="Ente Piccolo")
    return {
        "body": make_commitment("1500.00", reservation=reservation, beneficiary=body, published=False),
        "person": make_commitment("1200.00", reservation=reservation, beneficiary=person, published=False),
        # Two grants of 600.00 to the same beneficiary in the year: 1,200.00 in all, so both are published.
        "split_a": make_commitment("600.00", reservation=reservation, beneficiary=small, published=False),
        "split_b": make_commitment("600.00", reservation=reservation, beneficiary=small, published=False),
        "below": make_commitment(
            "999.99", reservation=reservation, beneficiary=OrganisationFactory(name="Sotto")
        ),
    }


def test_only_grants_over_the_threshold_need_publication(grants):
    official = make_user(Role.REGIONAL_OFFICIAL)
    pending = set(grants_to_publish(user=official))
    assert pending == {grants["body"], grants["person"], grants["split_a"], grants["split_b"]}


def test_public_page_lists_published_grants_without_login(client, grants):
    official = make_user(Role.REGIONAL_OFFICIAL)
    grants_publish(actor=official, commitments=[grants["body"], grants["person"]])
    response = client.get(reverse("funding:transparency"), {"year": 2020})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comune di Esempio" in html
    assert "00514490010" in html
    assert "Mario Rossi" in html
    assert "RSSMRA70A01L219K" not in html  # a person's tax code is never published
    assert "Ente Piccolo" not in html  # not yet published
    assert AuditEvent.objects.filter(action="transparency.published", actor=official).count() == 2


def test_downloads_in_csv_json_xlsx(client, grants):
    grants_publish(actor=make_user(Role.REGIONAL_OFFICIAL), commitments=list(grants.values()))
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(
                        reverse("funding:transparency"), {"year": 2020, "format": "csv"}
                    ).streaming_content
                ).decode()
            )
        )
    )
    assert len(rows) == 1 + 4
    response = client.get(reverse("funding:transparency"), {"year": 2020, "format": "json"})
    data = json.loads(b"".join(response.streaming_content))  # streamed, grant by grant
    assert sorted(Decimal(g["amount"]) for g in data["grants"]) == [
        Decimal("600.00"),
        Decimal("600.00"),
        Decimal("1200.00"),
        Decimal("1500.00"),
    ]
    assert all(g["tax_code"] == "" for g in data["grants"] if g["beneficiary"] == "Mario Rossi")
    response = client.get(reverse("funding:transparency"), {"year": 2020, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K5"
    assert sheet["D6"].value == 3900  # the totals row, a real number
    assert sheet["D2"].number_format == "#,##0.00"


def test_filters(client, grants):
    grants_publish(actor=make_user(Role.REGIONAL_OFFICIAL), commitments=list(grants.values()))
    response = client.get(
        reverse("funding:transparency"), {"year": 2020, "format": "json", "beneficiary": "piccolo"}
    )
    data = json.loads(b"".join(response.streaming_content))
    assert {g["beneficiary"] for g in data["grants"]} == {"Ente Piccolo"}


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AUDITOR, Role.ADMINISTRATOR])
def test_only_officials_publish(client, grants, role):
    client.force_login(make_user(role))
    response = client.post(reverse("funding:transparency_publish"), {"grant": [grants["body"].pk]})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="transparency.published").exists()


def test_official_publishes_from_the_queue_after_a_confirmation(client, grants):
    """Nothing is pre-selected; choosing grants shows how many, to whom and for how much, and only
    the confirmation publishes (issue 9, item 3: one click meant for 2 grants published 81)."""
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    page = client.get(reverse("funding:transparency_publish")).content.decode()
    assert "Comune di Esempio" in page
    assert 'name="grant"' in page
    assert "checked" not in page
    url = reverse("funding:transparency_publish")
    chosen = [grants["body"].pk, grants["split_a"].pk, grants["split_b"].pk]
    response = client.post(url, {"step": "review", "grant": chosen})
    assert response.status_code == 200
    summary = response.content.decode()
    assert "3 contributi" in summary
    assert "€ 2.700,00" in summary  # 1,500.00 + 600.00 + 600.00
    assert "a 2 beneficiari" in summary
    assert "Comune di Esempio" in summary
    assert "Ente Piccolo" in summary
    assert "Mario" not in summary  # the person's grant was not chosen
    assert not GrantPublication.objects.exists()
    assert not AuditEvent.objects.filter(action="transparency.published").exists()
    # A post without the confirmation step (the old one-click form) publishes nothing either.
    client.post(url, {"grant": chosen})
    assert not GrantPublication.objects.exists()
    response = client.post(url, {"step": "confirm", "grant": chosen}, follow=True)
    assert set(GrantPublication.objects.values_list("commitment_id", flat=True)) == set(chosen)
    assert "3 contributi pubblicati, € 2.700,00 in tutto." in response.content.decode()
    grants["person"].refresh_from_db()
    assert not hasattr(grants["person"], "publication")


def test_publishing_nothing_says_to_choose(client, grants):
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    response = client.post(reverse("funding:transparency_publish"), {"step": "confirm"})
    assert response.status_code == 400
    assert "Seleziona almeno un contributo da pubblicare." in response.content.decode()
    assert not GrantPublication.objects.exists()


def test_anonymous_publish_goes_to_login(client, grants):
    response = client.get(reverse("funding:transparency_publish"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_grant_over_the_threshold_is_paid_only_once_published(grants):
    official = make_user(Role.REGIONAL_OFFICIAL)
    pay = {"actor": official, "amount": Decimal("100.00"), "date": ACT.date, "act": ACT}
    with pytest.raises(ValidationError) as excinfo:
        ledger.liquidation_create(commitment=grants["split_a"], **pay)
    assert excinfo.value.code == "unpublished"
    assert "D.Lgs. 33/2013 art. 26" in excinfo.value.messages[0]
    grants["split_a"].refresh_from_db()
    assert grants["split_a"].liquidated_total == Decimal("0.00")  # nothing was written
    ledger.liquidation_create(commitment=grants["below"], **pay)  # 999.99 in the year: no publication
    grants_publish(actor=official, commitments=[grants["split_a"]])
    ledger.liquidation_create(commitment=grants["split_a"], **pay)
    grants["split_a"].refresh_from_db()
    assert grants["split_a"].liquidated_total == Decimal("100.00")
    with pytest.raises(ValidationError):  # its sibling of the same year is still unpublished
        ledger.liquidation_create(commitment=grants["split_b"], **pay)


def test_page_and_report_open_on_the_latest_year_with_published_grants(client):
    """Issue 9, item 23: the page and the catalogue's report opened on the oldest year (one row)."""
    official = make_user(Role.REGIONAL_OFFICIAL)
    old = make_commitment("1500.00", beneficiary=OrganisationFactory(name="Comune Vecchio"), published=False)
    reservation = make_reservation("5000.00")
    recent = ledger.commitment_create(
        actor=None,
        reservation=reservation,
        beneficiary=OrganisationFactory(name="Comune Recente"),
        amount=Decimal("2500.00"),
        act=Act(number="7/2022", date=ACT.date.replace(year=2022), type=ActType.DD),
    )
    grants_publish(actor=official, commitments=[old, recent])

    html = client.get(reverse("funding:transparency")).content.decode()
    assert "Comune Recente" in html
    assert "Comune Vecchio" not in html
    form = TransparencyReportForm()
    assert form.fields["year"].initial == 2022
    assert [value for value, _label in form.fields["year"].choices] == [2022, 2020]
