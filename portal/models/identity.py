"""Users, organisations and the roles users hold in them."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.choices import OrganisationKind, Role
from portal.models.base import TimeStampedModel
from portal.models.reference import Comune, Province
from portal.validators import (
    normalise_tax_code,
    validate_person_tax_code,
    validate_tax_code,
    validate_vat_number,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with an e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    # The person's codice fiscale: SPID and CIE identify people by it (fiscalNumber).
    tax_code = models.CharField(
        _("codice fiscale"),
        max_length=16,
        blank=True,
        validators=[validate_person_tax_code],
        help_text=_("The 16-character codice fiscale; SPID and CIE logins are matched to it."),
    )
    # Set once the person has logged in with SPID or CIE and the account was theirs (created by that
    # login, or proven with its password or an e-mail link): only then does a SPID login open it.
    saml_linked_at = models.DateTimeField(_("SPID/CIE linked at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~models.Q(tax_code=""),
                name="%(app_label)s_%(class)s_unique_tax_code",
                violation_error_message=_("Another account already has this codice fiscale."),
            ),
            models.CheckConstraint(
                condition=models.Q(saml_linked_at__isnull=True) | ~models.Q(tax_code=""),
                name="%(app_label)s_%(class)s_linked_has_tax_code",
                violation_error_message=_("An account linked to SPID or CIE needs its codice fiscale."),
            ),
        ]

    def clean(self):
        super().clean()
        if self.tax_code:
            self.tax_code = normalise_tax_code(self.tax_code)

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Organisation(TimeStampedModel):
    """A body or person that takes part in the programme: the Region, a comune, a taxi licensee..."""

    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    tax_code = models.CharField(
        _("codice fiscale"),
        max_length=16,
        blank=True,
        validators=[validate_tax_code],
        help_text=_("16 characters for a person, 11 digits for a body."),
    )
    vat_number = models.CharField(
        _("partita IVA"), max_length=11, blank=True, validators=[validate_vat_number]
    )
    comune = models.ForeignKey(
        Comune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("comune"),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("province"),
    )
    licence_number = models.CharField(_("taxi licence number"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    pec = models.EmailField(_("certified e-mail (PEC)"), blank=True)
    country = CountryField(_("country"), default="IT", help_text=_("ISO 3166 country code."))
    pic = models.CharField(
        _("PIC"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{9}$", _("A PIC (Participant Identification Code) is 9 digits."))],
        help_text=_("The EU Participant Identification Code, for partners of EU projects."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        # Lists read one page in name order without sorting every organisation (11,000 with the
        # benchmark's taxi licensees: 25 ms a page of the API without it, 0.3 ms with it).
        indexes = [models.Index(fields=["name", "id"], name="portal_org_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=OrganisationKind.MUNICIPALITY) | models.Q(comune__isnull=False),
                name="%(app_label)s_%(class)s_municipality_has_comune",
                violation_error_message=_("A municipality must be linked to its comune."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=OrganisationKind.TAXI_LICENSEE)
                | (models.Q(comune__isnull=False) & ~models.Q(licence_number="")),
                name="%(app_label)s_%(class)s_taxi_has_licence",
                violation_error_message=_(
                    "A taxi licensee needs a licence number and the comune that issued it."
                ),
            ),
            models.UniqueConstraint(
                fields=["comune"],
                condition=models.Q(kind=OrganisationKind.MUNICIPALITY),
                name="%(app_label)s_%(class)s_one_municipality_per_comune",
                violation_error_message=_("This comune already has its municipality."),
            ),
            models.UniqueConstraint(
                fields=["comune", "licence_number"],
                condition=models.Q(kind=OrganisationKind.TAXI_LICENSEE),
                name="%(app_label)s_%(class)s_unique_taxi_licence",
                violation_error_message=_("This taxi licence is already registered for this comune."),
            ),
            models.UniqueConstraint(
                fields=["pic"],
                condition=~models.Q(pic=""),
                name="%(app_label)s_%(class)s_unique_pic",
                violation_error_message=_("An organisation with this PIC already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(pic="") | models.Q(pic__regex=r"^[0-9]{9}$"),
                name="%(app_label)s_%(class)s_pic_nine_digits",
                violation_error_message=_("A PIC (Participant Identification Code) is 9 digits."),
            ),
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~models.Q(tax_code=""),
                name="%(app_label)s_%(class)s_unique_tax_code",
                violation_error_message=_("An organisation with this codice fiscale already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.tax_code:
            self.tax_code = normalise_tax_code(self.tax_code)


class Membership(TimeStampedModel):
    """A user's role within an organisation. Role changes go through portal.services."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["user", "organisation"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="%(app_label)s_%(class)s_unique_role",
                violation_error_message=_("This user already holds this role in this organisation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
