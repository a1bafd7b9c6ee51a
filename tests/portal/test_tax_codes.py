"""Codici fiscali of the beneficiaries (issue 9, item 14): an official imports them from a CSV of
ISTAT code and codice fiscale (each checked, all or nothing, audited), sees the bodies still
without one, and a grant to such a body is refused publication, naming it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import GrantPublication
from funding.selectors.transparency import grants_pending_publication
from funding.services.transparency import ERROR_NO_TAX_CODE, grants_publish
from portal.choices import Role
from portal.models import AuditEvent
from portal.tax_codes import bodies_without_tax_code, tax_codes_import
from tests.factories import ComuneFactory, MunicipalityFactory, make_user
from tests.funding.factories import make_commitment

pytestmark = pytest.mark.django_db
CUNEO_CF = "00480530047"
ASTI_CF = "00072360050"


@pytest.fixture
def comuni():
    cuneo = MunicipalityFactory(comune=ComuneFactory(istat_code="004078", name="Cuneo"), tax_code="")
    asti = MunicipalityFactory(comune=ComuneFactory(istat_code="005005", name="Asti"), tax_code="")
    return cuneo, asti


def test_the_official_imports_codici_fiscali_and_the_list_shrinks(client, comuni):
    cuneo, asti = comuni
    official = make_user(Role.REGIONAL_OFFICIAL)
    client.force_login(official)
    url = reverse("tax_codes")
    page = client.get(url).content.decode()
    assert "Comune di Cuneo" in page
    assert "Comune di Asti" in page
    csv = f"codice_istat;codice_fiscale\n004078;{CUNEO_CF}\n5005;{ASTI_CF}\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("cf.csv", csv, content_type="text/csv")})
    assert response.status_code == 302
    cuneo.refresh_from_db()
    asti.refresh_from_db()
    assert (cuneo.tax_code, asti.tax_code) == (CUNEO_CF, ASTI_CF)
    assert not bodies_without_tax_code().filter(pk__in=[cuneo.pk, asti.pk]).exists()
    assert AuditEvent.objects.filter(action="organisation.tax_code.imported").count() == 2
    page = client.get(url).content.decode()
    assert "Comune di Cuneo" not in page


def test_a_wrong_row_saves_nothing_and_every_error_names_its_line(comuni):
    cuneo, _asti = comuni
    official = make_user(Role.REGIONAL_OFFICIAL)
    csv = f"004078;{CUNEO_CF}\n005005;00072360051\n999999;{ASTI_CF}\nabc;{ASTI_CF}\n".encode()
    with pytest.raises(ValidationError) as excinfo:
        tax_codes_import(actor=official, data=csv)
    messages = excinfo.value.message_dict["file"]
    assert any(m.startswith("Riga 2:") and "00072360051" in m for m in messages), messages
    assert any(m.startswith("Riga 3:") and "999999" in m for m in messages), messages
    assert any(m.startswith("Riga 4:") for m in messages), messages
    cuneo.refresh_from_db()
    assert cuneo.tax_code == ""  # all or nothing
    assert not AuditEvent.objects.filter(action="organisation.tax_code.imported").exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AUDITOR])
def test_only_officials_import(client, comuni, role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        tax_codes_import(actor=user, data=f"004078;{CUNEO_CF}\n".encode())
    client.force_login(user)
    assert client.get(reverse("tax_codes")).status_code == 403
    comuni[0].refresh_from_db()
    assert comuni[0].tax_code == ""


def test_a_grant_to_a_body_without_codice_fiscale_is_not_published_naming_it(client, comuni):
    cuneo, _asti = comuni
    commitment = make_commitment("5000.00", beneficiary=cuneo, published=False)
    official = make_user(Role.REGIONAL_OFFICIAL)
    with pytest.raises(ValidationError) as excinfo:
        grants_publish(actor=official, commitments=[commitment])
    assert excinfo.value.message_dict["grant"] == [str(ERROR_NO_TAX_CODE) % {"names": "Comune di Cuneo"}]
    assert not GrantPublication.objects.filter(commitment=commitment).exists()
    client.force_login(official)
    response = client.post(reverse("funding:transparency_publish"), {"grant": [commitment.pk]}, follow=True)
    assert "Comune di Cuneo" in response.content.decode()
    assert grants_pending_publication().filter(pk=commitment.pk).exists()
    tax_codes_import(actor=official, data=f"004078;{CUNEO_CF}\n".encode())
    commitment.refresh_from_db()
    assert len(grants_publish(actor=official, commitments=[commitment])) == 1
