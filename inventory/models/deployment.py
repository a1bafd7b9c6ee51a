"""Where devices are deployed: sites (for CCTV and ANPR cameras) and assignments.

An assignment puts a device with a police officer (unit and service number, never a name: the
comune keeps who that is), in a taxi licence's vehicle, or at a site. A device has at most one open
assignment (a partial unique index); closed ones stay as its history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import AssignmentKind
from inventory.models.devices import Device
from portal.models.base import TimeStampedModel

# Piedmont's bounding box (ISTAT boundaries, rounded outwards): the database's coarse backstop;
# inventory.geo checks the real boundary polygon.
PIEDMONT_LATITUDE = (Decimal("44.05"), Decimal("46.47"))
PIEDMONT_LONGITUDE = (Decimal("6.62"), Decimal("9.22"))

SERVICE_NUMBER_PATTERN = r"^[A-Z0-9/.-]*[0-9][A-Z0-9/.-]*$"
service_number_validator = RegexValidator(
    SERVICE_NUMBER_PATTERN,
    _("A service number has digits, capital letters, / . - only, with at least one digit (never a name)."),
)
plate_validator = RegexValidator(r"^[A-Z]{2}[0-9]{3}[A-Z]{2}$", _("An Italian plate looks like AB123CD."))


class Site(TimeStampedModel):
    """A place where cameras stand: address, comune, coordinates (WGS 84) and what it watches."""

    owner = models.ForeignKey(
        "portal.Organisation", on_delete=models.PROTECT, related_name="sites", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    comune = models.ForeignKey(
        "portal.Comune", on_delete=models.PROTECT, related_name="sites", verbose_name=_("comune")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    watches = models.CharField(_("what it watches"), max_length=300, blank=True)

    class Meta:
        ordering = ["comune", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This organisation already has a site with this name."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=PIEDMONT_LATITUDE[0])
                & Q(latitude__lte=PIEDMONT_LATITUDE[1])
                & Q(longitude__gte=PIEDMONT_LONGITUDE[0])
                & Q(longitude__lte=PIEDMONT_LONGITUDE[1]),
                name="%(app_label)s_%(class)s_in_piedmont_box",
                violation_error_message=_("The coordinates are outside Piedmont."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.comune})"


class Assignment(TimeStampedModel):
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("device")
    )
    kind = models.CharField(_("deployed"), max_length=16, choices=AssignmentKind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)
    # A body-cam: the police unit and the officer's service number.
    police_unit = models.CharField(_("police unit"), max_length=200, blank=True)
    officer_service_number = models.CharField(
        _("officer's service number"), max_length=20, blank=True, validators=[service_number_validator]
    )
    # An event data recorder: the taxi licence's vehicle and who installed it.
    vehicle_plate = models.CharField(
        _("vehicle plate"), max_length=10, blank=True, validators=[plate_validator]
    )
    licence_number = models.CharField(_("taxi licence number"), max_length=20, blank=True)
    installer = models.CharField(_("installer"), max_length=200, blank=True)
    # A camera: the site.
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("site"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["device", "-started_on", "-pk"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(ended_on__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_device",
                violation_error_message=_("This device is already deployed: close its deployment first."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A deployment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=AssignmentKind.OFFICER)
                    & ~Q(police_unit="")
                    & Q(officer_service_number__regex=SERVICE_NUMBER_PATTERN)
                    & Q(site__isnull=True)
                    & Q(vehicle_plate="")
                )
                | (
                    Q(kind=AssignmentKind.VEHICLE)
                    & ~Q(vehicle_plate="")
                    & ~Q(licence_number="")
                    & Q(site__isnull=True)
                    & Q(officer_service_number="")
                )
                | (
                    Q(kind=AssignmentKind.SITE)
                    & Q(site__isnull=False)
                    & Q(officer_service_number="")
                    & Q(vehicle_plate="")
                ),
                name="%(app_label)s_%(class)s_target_matches_kind",
                violation_error_message=_(
                    "An officer's deployment needs the unit and service number, a vehicle's the plate "
                    "and licence, a site's the site, and nothing of the others."
                ),
            ),
        ]
        indexes = [models.Index(fields=["site", "ended_on"], name="inventory_assign_site_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} · {self.get_kind_display()} · {self.target_label}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def target_label(self) -> str:
        if self.kind == AssignmentKind.OFFICER:
            return str(
                _("%(unit)s · service no. %(number)s")
                % {"unit": self.police_unit, "number": self.officer_service_number}
            )
        if self.kind == AssignmentKind.VEHICLE:
            return str(
                _("vehicle %(plate)s · licence %(licence)s")
                % {"plate": self.vehicle_plate, "licence": self.licence_number}
            )
        return str(self.site) if self.site_id else ""
