import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal import services
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent, Membership, Organisation
from portal.validators import ERROR_TAX_CODE, ERROR_VAT_NUMBER
from tests.factories import ComuneFactory, MunicipalityFactory, OrganisationFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("tax_code", ["80087670016", "RSSMRA70A01L219K", "rssmra70a01l219k"])
def test_valid_tax_codes_are_accepted(tax_code):
    org = Organisation(kind=OrganisationKind.OTHER, name="Ente", tax_code=tax_code)
    org.full_clean()
    assert org.tax_code == tax_code.upper()


@pytest.mark.parametrize("tax_code", ["80087670017", "RSSMRA70A01L219X", "12345"])
def test_invalid_tax_code_is_refused_on_its_field(tax_code):
    org = Organisation(kind=OrganisationKind.OTHER, name="Ente", tax_code=tax_code)
    with pytest.raises(ValidationError) as excinfo:
        org.full_clean()
    assert excinfo.value.message_dict["tax_code"] == [str(ERROR_TAX_CODE)]


def test_invalid_vat_number_is_refused_on_its_field():
    org = Organisation(kind=OrganisationKind.OTHER, name="Ente", vat_number="00514490011")
    with pytest.raises(ValidationError) as excinfo:
        org.full_clean()
    assert excinfo.value.message_dict["vat_number"] == [str(ERROR_VAT_NUMBER)]


def test_organisation_create_refuses_invalid_and_writes_nothing():
    with pytest.raises(ValidationError):
        services.organisation_create(actor=None, kind=OrganisationKind.OTHER, name="X", tax_code="123")
    assert not Organisation.objects.filter(name="X").exists()
    assert not AuditEvent.objects.filter(action="organisation.created").exists()


def test_municipality_needs_its_comune_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Comune senza comune")


def test_one_municipality_per_comune():
    comune = ComuneFactory()
    MunicipalityFactory(comune=comune)
    with pytest.raises(IntegrityError), transaction.atomic():
        MunicipalityFactory(comune=comune)


def test_taxi_licensee_needs_licence_and_comune():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            kind=OrganisationKind.TAXI_LICENSEE, name="Tassista", comune=ComuneFactory()
        )


def test_role_change_is_audited_with_before_and_after():
    admin = make_user(Role.ADMINISTRATOR)
    user = make_user()
    org = OrganisationFactory()
    membership = services.membership_set_role(actor=admin, user=user, organisation=org, role=Role.APPLICANT)
    services.membership_set_role(
        actor=admin, user=user, organisation=org, role=Role.APPLICANT, is_active=False
    )
    events = list(
        AuditEvent.objects.filter(action="membership.role_changed", target_id=str(membership.pk)).order_by(
            "seq"
        )
    )
    assert [e.before for e in events] == [None, {"role": "applicant", "is_active": True}]
    assert events[1].after["is_active"] is False
    assert events[1].actor == admin


def test_role_change_denied_to_non_administrators_changes_nothing():
    official = make_user(Role.REGIONAL_OFFICIAL)
    user = make_user()
    org = OrganisationFactory()
    with pytest.raises(services.PermissionDenied):
        services.membership_set_role(actor=official, user=user, organisation=org, role=Role.AUDITOR)
    assert not Membership.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="membership.role_changed", actor=official).exists()
