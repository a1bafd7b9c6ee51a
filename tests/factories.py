"""Factories shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from portal.choices import MFA_ROLES, OrganisationKind, Role
from portal.models import Comune, Membership, Organisation, Province, User

TEST_PASSWORD = "Correct-horse-battery-9"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{900 + n % 99:03d}")
    sigla = factory.Sequence(lambda n: f"Z{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Provincia {n}")


class ComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comune
        django_get_or_create = ["istat_code"]

    istat_code = factory.Sequence(lambda n: f"{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Comune di prova {n}")
    province = factory.SubFactory(ProvinceFactory)


_tax_codes = iter(range(1, 10**6))


def body_tax_code(n: int) -> str:
    """A valid codice fiscale of a body (11 digits: number, office code 001, Luhn check digit)."""
    from stdnum import luhn

    base = f"{7000000 + n:07d}001"
    return base + luhn.calc_check_digit(base)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.OTHER
    name = factory.Sequence(lambda n: f"Ente {n}")
    # Art. 27 publishes a body's grants with its codice fiscale: a body without one cannot be published.
    tax_code = factory.LazyAttribute(
        lambda o: "" if o.kind == OrganisationKind.TAXI_LICENSEE else body_tax_code(next(_tax_codes))
    )


class MunicipalityFactory(OrganisationFactory):
    kind = OrganisationKind.MUNICIPALITY
    comune = factory.SubFactory(ComuneFactory)
    name = factory.LazyAttribute(lambda o: f"Comune di {o.comune.name}")


class RegionFactory(OrganisationFactory):
    kind = OrganisationKind.REGION
    name = "Regione di prova"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            # Accounts created by the Region come with a verified address (self-registration verifies it).
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.APPLICANT


def make_user(
    role: str | None = None, organisation: Organisation | None = None, *, mfa: bool = True, **kwargs
):
    """A user holding `role` in `organisation` (a new one if not given); TOTP active for MFA roles."""
    user = UserFactory(**kwargs)
    if role is not None:
        if organisation is None:
            organisation = (
                RegionFactory()
                if role in (Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.ADMINISTRATOR)
                else OrganisationFactory()
            )
        MembershipFactory(user=user, organisation=organisation, role=role)
        if mfa and role in MFA_ROLES and not Authenticator.objects.filter(user=user).exists():
            TOTP.activate(user, TEST_TOTP_SECRET)
    return user
