"""Sites and deployments: a body-cam to an officer, a recorder into a taxi, a camera at a site.

A device has at most one open deployment: deploying it elsewhere closes the open one on the day the
new one starts, in the same transaction under the device's row lock (the partial unique index on
open deployments is the database's backstop).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory import geo
from inventory.choices import ASSIGNMENT_KINDS, AssignmentKind, DeviceKind, DeviceStatus
from inventory.lifecycle import can_move
from inventory.models import Assignment, Device, Site
from inventory.models.deployment import plate_validator, service_number_validator
from inventory.services.common import ERROR_REQUIRED, Errors, clean_text, field_error, require_owner
from inventory.services.devices import ERROR_FINAL, ERROR_TRANSITION, _history, close_open_assignment
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.choices import OrganisationKind
from portal.formatting import format_date
from portal.models import Comune, Organisation, User

ERROR_OUTSIDE_PIEDMONT = _("The point %(lat)s, %(lon)s is outside Piedmont.")
ERROR_OUTSIDE_PROVINCE = _(
    "The point %(lat)s, %(lon)s is not in the province of %(province)s, where %(comune)s is."
)
ERROR_COORDINATE = _("Enter a decimal coordinate in degrees (WGS 84), e.g. 45.070312.")
ERROR_KIND_TARGET = _("A device of kind “%(kind)s” cannot be deployed to a “%(target)s”.")
ERROR_SITE_OTHER_OWNER = _("The site belongs to %(site_owner)s, the device to %(owner)s.")
ERROR_LICENCE_OTHER = _("The device's owner holds taxi licence %(licence)s, not %(given)s.")
ERROR_START_FUTURE = _("A deployment cannot start in the future.")
ERROR_START_BEFORE_OPEN = _("The current deployment started on %(date)s: the new one cannot start earlier.")
ERROR_DEPLOYED_SAME = _("The device is already deployed there.")
ERROR_SITE_EXISTS = _("%(owner)s already has a site named “%(name)s”.")
ERROR_CONCURRENT = _("Someone else deployed this device at the same moment: look at it again and retry.")

SITE_FIELDS = ("owner", "name", "address", "comune", "latitude", "longitude", "watches")
ASSIGNMENT_FIELDS = (
    "kind",
    "started_on",
    "police_unit",
    "officer_service_number",
    "vehicle_plate",
    "licence_number",
    "installer",
    "site",
)


# --- Sites ----------------------------------------------------------------------------------------
def _clean_coordinate(value, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(ERROR_COORDINATE, code="invalid") from exc
    if not number.is_finite() or abs(number) > 180:
        raise ValidationError(ERROR_COORDINATE, code="invalid")
    return number.quantize(Decimal("0.000001"))


def check_coordinates(errors: Errors, latitude, longitude, comune: Comune | None):
    """Both coordinates as Decimals, checked to fall in Piedmont and in the comune's province."""
    lat = errors.check("latitude", lambda: _clean_coordinate(latitude, "latitude"))
    lon = errors.check("longitude", lambda: _clean_coordinate(longitude, "longitude"))
    if lat is None or lon is None:
        return lat, lon
    if not geo.in_piedmont(lat, lon):
        for field in ("latitude", "longitude"):
            errors.add(field, ERROR_OUTSIDE_PIEDMONT, code="outside_piedmont", lat=lat, lon=lon)
    elif comune is not None and not geo.in_province(lat, lon, comune.province.code):
        for field in ("latitude", "longitude"):
            errors.add(
                field,
                ERROR_OUTSIDE_PROVINCE,
                code="outside_province",
                lat=lat,
                lon=lon,
                province=comune.province.name,
                comune=comune.name,
            )
    return lat, lon


def site_create(
    *,
    actor: User | None,
    owner: Organisation,
    name: str,
    address: str,
    comune: Comune,
    latitude,
    longitude,
    watches: str = "",
) -> Site:
    require_owner(actor, owner.pk)
    errors = Errors()
    name = clean_text(name, 200)
    address = clean_text(address, 300)
    if not name:
        errors.add("name", ERROR_REQUIRED, code="required")
    if not address:
        errors.add("address", ERROR_REQUIRED, code="required")
    if comune is None:
        errors.add("comune", ERROR_REQUIRED, code="required")
    lat, lon = check_coordinates(errors, latitude, longitude, comune)
    if name and Site.objects.filter(owner=owner, name__iexact=name).exists():
        errors.add("name", ERROR_SITE_EXISTS, code="duplicate", owner=str(owner), name=name)
    errors.raise_if_any()
    site = Site(
        owner=owner,
        name=name,
        address=address,
        comune=comune,
        latitude=lat,
        longitude=lon,
        watches=clean_text(watches, 300),
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                site.save()
        except IntegrityError as exc:
            raise field_error(
                "name", ERROR_SITE_EXISTS, code="duplicate", owner=str(owner), name=name
            ) from exc
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.site.created",
                    actor=actor,
                    organisation=owner,
                    target=site,
                    after=snapshot(site, SITE_FIELDS),
                )
            ]
        )
    return site


# --- Deployments ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where a device goes: an officer (unit, service number), a taxi vehicle, or a site."""

    kind: str
    police_unit: str = ""
    officer_service_number: str = ""
    vehicle_plate: str = ""
    licence_number: str = ""
    installer: str = ""
    site: Site | None = None

    def cleaned(self) -> "Target":
        return Target(
            kind=self.kind,
            police_unit=clean_text(self.police_unit, 200),
            officer_service_number=clean_text(self.officer_service_number, 20).replace(" ", "").upper(),
            vehicle_plate=clean_text(self.vehicle_plate, 10).replace(" ", "").upper(),
            licence_number=clean_text(self.licence_number, 20).upper(),
            installer=clean_text(self.installer, 200),
            site=self.site,
        )

    def same_as(self, assignment: Assignment) -> bool:
        return (
            assignment.kind == self.kind
            and assignment.police_unit == self.police_unit
            and assignment.officer_service_number == self.officer_service_number
            and assignment.vehicle_plate == self.vehicle_plate
            and assignment.licence_number == self.licence_number
            and assignment.site_id == (self.site.pk if self.site else None)
        )


def _check_target(errors: Errors, device: Device, target: Target) -> None:
    kind = device.model.kind
    if target.kind not in ASSIGNMENT_KINDS.get(kind, set()):
        errors.add(
            "kind",
            ERROR_KIND_TARGET,
            code="kind_target",
            kind=DeviceKind(kind).label,
            target=AssignmentKind(target.kind).label if target.kind in AssignmentKind.values else target.kind,
        )
        return
    if target.kind == AssignmentKind.OFFICER:
        if not target.police_unit:
            errors.add("police_unit", ERROR_REQUIRED, code="required")
        if not target.officer_service_number:
            errors.add("officer_service_number", ERROR_REQUIRED, code="required")
        else:
            errors.check(
                "officer_service_number", lambda: service_number_validator(target.officer_service_number)
            )
    elif target.kind == AssignmentKind.VEHICLE:
        if not target.vehicle_plate:
            errors.add("vehicle_plate", ERROR_REQUIRED, code="required")
        else:
            errors.check("vehicle_plate", lambda: plate_validator(target.vehicle_plate))
        if not target.licence_number:
            errors.add("licence_number", ERROR_REQUIRED, code="required")
        owner = device.owner
        if (
            target.licence_number
            and owner.kind == OrganisationKind.TAXI_LICENSEE
            and owner.licence_number
            and owner.licence_number.upper() != target.licence_number
        ):
            errors.add(
                "licence_number",
                ERROR_LICENCE_OTHER,
                code="other_licence",
                licence=owner.licence_number,
                given=target.licence_number,
            )
    elif target.site is None:
        errors.add("site", ERROR_REQUIRED, code="required")
    elif target.site.owner_id != device.owner_id:
        errors.add(
            "site",
            ERROR_SITE_OTHER_OWNER,
            code="other_owner",
            site_owner=str(target.site.owner),
            owner=str(device.owner),
        )


def device_deploy(
    *,
    actor: User | None,
    device: Device,
    target: Target,
    started_on: datetime.date | None = None,
    reason: str = "",
) -> Assignment:
    """Deploy a device (from stock or maintenance), or move a deployed one: the open deployment is
    closed the day the new one starts. Writes the deployment, the history row when the status
    changes, and the AuditEvent, in one transaction."""
    require_owner(actor, device.owner_id)
    target = target.cleaned()
    started_on = started_on or timezone.localdate()
    with transaction.atomic():
        locked = Device.objects.select_for_update().select_related("model", "owner").get(pk=device.pk)
        errors = Errors()
        _check_target(errors, locked, target)
        if started_on > timezone.localdate():
            errors.add("started_on", ERROR_START_FUTURE, code="future")
        errors.raise_if_any()
        if locked.is_final:
            raise field_error("status", ERROR_FINAL, code="final")
        from_status = locked.status
        open_assignment = Assignment.objects.filter(device=locked, ended_on__isnull=True).first()
        if from_status != DeviceStatus.DEPLOYED and not can_move(from_status, DeviceStatus.DEPLOYED):
            raise field_error(
                "status",
                ERROR_TRANSITION,
                code="not_allowed",
                **{"from": DeviceStatus(from_status).label, "to": DeviceStatus.DEPLOYED.label},
            )
        if open_assignment is not None:
            if target.same_as(open_assignment):
                raise field_error("kind", ERROR_DEPLOYED_SAME, code="same")
            if started_on < open_assignment.started_on:
                raise field_error(
                    "started_on",
                    ERROR_START_BEFORE_OPEN,
                    code="before_open",
                    date=format_date(open_assignment.started_on),
                )
        closed = close_open_assignment(device=locked, on=started_on, reason=reason or str(_("Moved")))
        assignment = Assignment(
            device=locked,
            kind=target.kind,
            started_on=started_on,
            police_unit=target.police_unit if target.kind == AssignmentKind.OFFICER else "",
            officer_service_number=target.officer_service_number
            if target.kind == AssignmentKind.OFFICER
            else "",
            vehicle_plate=target.vehicle_plate if target.kind == AssignmentKind.VEHICLE else "",
            licence_number=target.licence_number if target.kind == AssignmentKind.VEHICLE else "",
            installer=target.installer if target.kind != AssignmentKind.OFFICER else "",
            site=target.site if target.kind == AssignmentKind.SITE else None,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError as exc:
            raise field_error("device", ERROR_CONCURRENT, code="concurrent") from exc
        if from_status != DeviceStatus.DEPLOYED:
            locked.status = DeviceStatus.DEPLOYED
            locked.save(update_fields=["status", "updated_at"])
            _history(
                locked,
                actor=actor,
                from_status=from_status,
                to_status=DeviceStatus.DEPLOYED,
                reason=reason or assignment.target_label,
            )
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.device.moved" if closed else "inventory.device.deployed",
                    actor=actor,
                    organisation=locked.owner,
                    target=locked,
                    before={"status": from_status, "assignment": closed.pk if closed else None},
                    after={
                        "status": DeviceStatus.DEPLOYED,
                        "assignment": assignment.pk,
                        **snapshot(assignment, ASSIGNMENT_FIELDS),
                    },
                )
            ]
        )
    device.status = DeviceStatus.DEPLOYED
    return assignment
