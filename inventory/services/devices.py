"""Device models, devices and their lifecycle.

Every write checks who may make it (portal.permissions), locks the device row, validates against
the lifecycle table (inventory.lifecycle), writes the change, its history row and its AuditEvent in
one transaction. A refusal raises ValidationError naming the field and writes nothing.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.choices import CommitmentStatus
from funding.models import Commitment, ExpenseLine
from inventory.choices import DeviceKind, DeviceStatus, FundingSource
from inventory.lifecycle import INITIAL_STATUSES, can_move
from inventory.models import Assignment, Device, DeviceModel, DeviceStatusChange
from inventory.services.common import (
    ERROR_REQUIRED,
    Errors,
    clean_cost,
    clean_text,
    field_error,
    require_any,
    require_owner,
)
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.models import Organisation, User

ERROR_MODEL_EXISTS = _("%(manufacturer)s already has a model named “%(name)s”.")
ERROR_SERIAL_TAKEN = _(
    "Serial number %(serial)s of model %(model)s is already registered (device %(device)s)."
)
ERROR_SERIAL_ON_GRANT = _(
    "Serial number %(serial)s of model %(model)s is already claimed on grant n. %(commitment)s "
    "(%(beneficiary)s): a device cannot be claimed by two grants."
)
ERROR_ASSET_TAG_TAKEN = _("Asset tag %(tag)s is already used by another device.")
ERROR_INITIAL_STATUS = _("A device is registered as ordered or in stock; it is deployed afterwards.")
ERROR_GRANT_REQUIRED = _("Choose the grant (commitment) that paid for the device.")
ERROR_GRANT_NOT_ALLOWED = _("Only a device funded by a grant is linked to a commitment.")
ERROR_GRANT_OTHER_BENEFICIARY = _("Grant n. %(commitment)s was given to %(beneficiary)s, not to %(owner)s.")
ERROR_GRANT_CANCELLED = _("Grant n. %(commitment)s is cancelled: it funded no device.")
ERROR_EU_REFERENCE = _("Name the EU project and its equipment expenditure line.")
ERROR_LINE_OTHER_GRANT = _("This invoice line belongs to an expense report of another grant.")
ERROR_WARRANTY_BEFORE_PURCHASE = _("The warranty cannot end before the purchase date.")
ERROR_PURCHASE_FUTURE = _("The purchase date cannot be in the future.")
ERROR_TRANSITION = _("A device “%(from)s” cannot become “%(to)s”.")
ERROR_DEPLOY_WITH_ASSIGNMENT = _("A device is deployed by assigning it: to an officer, a vehicle or a site.")
ERROR_FINAL = _("This device is decommissioned: its record is final.")
ERROR_REASON_REQUIRED = _("Say why the device becomes “%(to)s”.")
ERROR_UNKNOWN_STATUS = _("“%(value)s” is not a status of a device.")

# A reason is required for these changes: the auditor asks why a funded device stopped working.
REASON_REQUIRED = frozenset({DeviceStatus.FAULTY, DeviceStatus.DECOMMISSIONED, DeviceStatus.MAINTENANCE})
DEVICE_FIELDS = (
    "owner",
    "model",
    "serial_number",
    "asset_tag",
    "purchase_date",
    "cost_net",
    "cost_vat",
    "warranty_end",
    "status",
    "funding_source",
    "commitment",
    "expense_line",
    "eu_reference",
)
EDITABLE_FIELDS = (
    "asset_tag",
    "purchase_date",
    "warranty_end",
    "cost_net",
    "cost_vat",
    "eu_reference",
    "notes",
)


# --- Device models -------------------------------------------------------------------------------
def device_model_create(
    *,
    actor: User | None,
    kind: str,
    manufacturer: str,
    name: str,
    conformity_standards: str = "",
    description: str = "",
) -> DeviceModel:
    require_any(actor)
    model = DeviceModel(
        kind=kind,
        manufacturer=clean_text(manufacturer, 100),
        name=clean_text(name, 100),
        conformity_standards=clean_text(conformity_standards, 300),
        description=(description or "").strip(),
    )
    model.full_clean(validate_constraints=False)
    with transaction.atomic():
        if DeviceModel.objects.filter(
            manufacturer__iexact=model.manufacturer, name__iexact=model.name
        ).exists():
            raise field_error(
                "name", ERROR_MODEL_EXISTS, code="duplicate", manufacturer=model.manufacturer, name=model.name
            )
        try:
            with transaction.atomic():
                model.save()
        except IntegrityError as exc:
            raise field_error(
                "name", ERROR_MODEL_EXISTS, code="duplicate", manufacturer=model.manufacturer, name=model.name
            ) from exc
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.model.created",
                    actor=actor,
                    target=model,
                    after=snapshot(model, ("kind", "manufacturer", "name", "conformity_standards")),
                )
            ]
        )
    return model


def device_model_get_or_create(*, actor: User | None, kind: str, manufacturer: str, name: str, **extra):
    existing = DeviceModel.objects.filter(
        manufacturer__iexact=clean_text(manufacturer, 100), name__iexact=clean_text(name, 100)
    ).first()
    if existing is not None:
        return existing
    return device_model_create(actor=actor, kind=kind, manufacturer=manufacturer, name=name, **extra)


# --- Registering a device ------------------------------------------------------------------------
@dataclass(frozen=True)
class Funding:
    """What paid for a device."""

    source: str
    commitment: Commitment | None = None
    expense_line: ExpenseLine | None = None
    eu_reference: str = ""


def _check_funding(errors: Errors, *, owner: Organisation, funding: Funding) -> None:
    if funding.source not in FundingSource.values:
        errors.add("funding_source", ERROR_REQUIRED, code="required")
        return
    commitment = funding.commitment
    if funding.source == FundingSource.GRANT:
        if commitment is None:
            errors.add("commitment", ERROR_GRANT_REQUIRED, code="required")
            return
        if commitment.beneficiary_id != owner.pk:
            errors.add(
                "commitment",
                ERROR_GRANT_OTHER_BENEFICIARY,
                code="other_beneficiary",
                commitment=commitment.pk,
                beneficiary=str(commitment.beneficiary),
                owner=str(owner),
            )
        elif commitment.status == CommitmentStatus.CANCELLED:
            errors.add("commitment", ERROR_GRANT_CANCELLED, code="cancelled", commitment=commitment.pk)
        line = funding.expense_line
        if line is not None and line.report.commitment_id != commitment.pk:
            errors.add("expense_line", ERROR_LINE_OTHER_GRANT, code="other_grant")
        return
    if commitment is not None or funding.expense_line is not None:
        errors.add("commitment", ERROR_GRANT_NOT_ALLOWED, code="not_a_grant")
    if funding.source == FundingSource.EU_PROJECT and not funding.eu_reference.strip():
        errors.add("eu_reference", ERROR_EU_REFERENCE, code="required")


def _check_dates(errors: Errors, purchase_date, warranty_end) -> None:
    if purchase_date and purchase_date > timezone.localdate():
        errors.add("purchase_date", ERROR_PURCHASE_FUTURE, code="future")
    if purchase_date and warranty_end and warranty_end < purchase_date:
        errors.add("warranty_end", ERROR_WARRANTY_BEFORE_PURCHASE, code="before_purchase")


def serial_conflict(
    model: DeviceModel, serial: str, *, exclude_pk: int | None = None
) -> ValidationError | None:
    """The refusal for a serial already registered, naming the grant that claims it, if any."""
    existing = (
        Device.objects.filter(model=model, serial_number=serial)
        .exclude(pk=exclude_pk)
        .select_related("commitment__beneficiary")
        .first()
    )
    if existing is None:
        return None
    if existing.commitment_id:
        return ValidationError(
            ERROR_SERIAL_ON_GRANT,
            code="serial_on_grant",
            params={
                "serial": serial,
                "model": str(model),
                "commitment": existing.commitment_id,
                "beneficiary": str(existing.commitment.beneficiary),
            },
        )
    return ValidationError(
        ERROR_SERIAL_TAKEN,
        code="serial_taken",
        params={"serial": serial, "model": str(model), "device": str(existing)},
    )


def _history(
    device: Device, *, actor, from_status: str, to_status: str, reason: str, at=None
) -> DeviceStatusChange:
    return DeviceStatusChange.objects.create(
        device=device,
        from_status=from_status,
        to_status=to_status,
        reason=clean_text(reason, 300),
        changed_by=actor if actor is not None and actor.is_authenticated else None,
        changed_at=at or timezone.now(),
    )


def device_build(
    *,
    owner: Organisation,
    model: DeviceModel,
    serial_number: str,
    cost_net,
    cost_vat,
    funding: Funding,
    asset_tag: str = "",
    purchase_date: datetime.date | None = None,
    warranty_end: datetime.date | None = None,
    status: str = DeviceStatus.IN_STOCK,
    notes: str = "",
) -> Device:
    """An unsaved device, every field checked; ValidationError lists every problem at once.
    (Uniqueness against other devices is checked again under the transaction.)"""
    errors = Errors()
    serial = clean_text(serial_number, 100)
    if not serial:
        errors.add("serial_number", ERROR_REQUIRED, code="required")
    tag = clean_text(asset_tag, 50) or None
    net = errors.check("cost_net", lambda: clean_cost(cost_net))
    vat = errors.check("cost_vat", lambda: clean_cost(cost_vat))
    if status not in INITIAL_STATUSES:
        errors.add("status", ERROR_INITIAL_STATUS, code="initial_status")
    _check_funding(errors, owner=owner, funding=funding)
    _check_dates(errors, purchase_date, warranty_end)
    if serial and model is not None and not errors.errors.get("serial_number"):
        conflict = serial_conflict(model, serial)
        if conflict is not None:
            errors.errors.setdefault("serial_number", []).append(conflict)
    if tag and Device.objects.filter(asset_tag=tag).exists():
        errors.add("asset_tag", ERROR_ASSET_TAG_TAKEN, code="asset_tag_taken", tag=tag)
    errors.raise_if_any()
    return Device(
        owner=owner,
        model=model,
        serial_number=serial,
        asset_tag=tag,
        purchase_date=purchase_date,
        warranty_end=warranty_end,
        cost_net=net,
        cost_vat=vat,
        status=status,
        funding_source=funding.source,
        commitment=funding.commitment if funding.source == FundingSource.GRANT else None,
        expense_line=funding.expense_line if funding.source == FundingSource.GRANT else None,
        eu_reference=clean_text(funding.eu_reference, 200)
        if funding.source == FundingSource.EU_PROJECT
        else "",
        notes=(notes or "").strip(),
    )


def _save_new(device: Device) -> None:
    """Insert; a concurrent registration of the same serial or tag is refused by the unique
    constraints and reported like the check before it."""
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError as exc:
        conflict = serial_conflict(device.model, device.serial_number)
        if conflict is not None:
            raise ValidationError({"serial_number": conflict}) from exc
        if device.asset_tag and Device.objects.filter(asset_tag=device.asset_tag).exists():
            raise field_error(
                "asset_tag", ERROR_ASSET_TAG_TAKEN, code="asset_tag_taken", tag=device.asset_tag
            ) from exc
        raise


def device_register(
    *,
    actor: User | None,
    owner: Organisation,
    model: DeviceModel,
    serial_number: str,
    cost_net,
    cost_vat,
    funding: Funding,
    asset_tag: str = "",
    purchase_date: datetime.date | None = None,
    warranty_end: datetime.date | None = None,
    status: str = DeviceStatus.IN_STOCK,
    notes: str = "",
    reason: str = "",
    audit_extra: dict | None = None,
) -> Device:
    """Register a device of `owner`: its first history row (from nothing to ordered or in stock)."""
    require_owner(actor, owner.pk)
    device = device_build(
        owner=owner,
        model=model,
        serial_number=serial_number,
        cost_net=cost_net,
        cost_vat=cost_vat,
        funding=funding,
        asset_tag=asset_tag,
        purchase_date=purchase_date,
        warranty_end=warranty_end,
        status=status,
        notes=notes,
    )
    with transaction.atomic():
        if device.commitment_id:
            # Serialises registrations on one grant (and with the expense report's checks).
            Commitment.objects.select_for_update().get(pk=device.commitment_id)
        _save_new(device)
        _history(
            device,
            actor=actor,
            from_status="",
            to_status=device.status,
            reason=reason or str(_("Registered")),
        )
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.device.registered",
                    actor=actor,
                    organisation=owner,
                    target=device,
                    after={**snapshot(device, DEVICE_FIELDS), **(audit_extra or {})},
                )
            ]
        )
    return device


def device_update(*, actor: User | None, device: Device, **changes) -> Device:
    """Change a device's details (asset tag, dates, costs, EU reference, notes); not its lifecycle."""
    require_owner(actor, device.owner_id)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        if locked.is_final:
            raise field_error("status", ERROR_FINAL, code="final")
        before = snapshot(locked, EDITABLE_FIELDS)
        errors = Errors()
        for name, value in changes.items():
            if name in ("cost_net", "cost_vat"):
                value = errors.check(name, lambda v=value: clean_cost(v))
            elif name == "asset_tag":
                value = clean_text(value, 50) or None
                if value and Device.objects.filter(asset_tag=value).exclude(pk=locked.pk).exists():
                    errors.add("asset_tag", ERROR_ASSET_TAG_TAKEN, code="asset_tag_taken", tag=value)
            elif name == "eu_reference":
                value = clean_text(value, 200)
                if locked.funding_source == FundingSource.EU_PROJECT and not value:
                    errors.add("eu_reference", ERROR_EU_REFERENCE, code="required")
            elif name == "notes":
                value = (value or "").strip()
            setattr(locked, name, value)
        _check_dates(errors, locked.purchase_date, locked.warranty_end)
        errors.raise_if_any()
        try:
            with transaction.atomic():
                locked.save(update_fields=[*changes, "updated_at"])
        except IntegrityError as exc:
            raise field_error(
                "asset_tag", ERROR_ASSET_TAG_TAKEN, code="asset_tag_taken", tag=locked.asset_tag
            ) from exc
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.device.updated",
                    actor=actor,
                    organisation=locked.owner,
                    target=locked,
                    before=before,
                    after=snapshot(locked, EDITABLE_FIELDS),
                )
            ]
        )
    return locked


# --- Lifecycle -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TransitionPreview:
    from_status: str
    to_status: str
    closes_assignment: Assignment | None


def _check_transition(device: Device, to_status: str, reason: str) -> None:
    if to_status not in DeviceStatus.values:
        raise field_error("to_status", ERROR_UNKNOWN_STATUS, code="unknown", value=to_status)
    if device.is_final:
        raise field_error("to_status", ERROR_FINAL, code="final")
    if to_status == DeviceStatus.DEPLOYED:
        raise field_error("to_status", ERROR_DEPLOY_WITH_ASSIGNMENT, code="deploy_with_assignment")
    if not can_move(device.status, to_status):
        raise field_error(
            "to_status",
            ERROR_TRANSITION,
            code="not_allowed",
            **{"from": DeviceStatus(device.status).label, "to": DeviceStatus(to_status).label},
        )
    if to_status in REASON_REQUIRED and not clean_text(reason, 300):
        raise field_error("reason", ERROR_REASON_REQUIRED, code="required", to=DeviceStatus(to_status).label)


def device_transition_preview(
    *, actor: User | None, device: Device, to_status: str, reason: str = ""
) -> TransitionPreview:
    require_owner(actor, device.owner_id)
    current = Device.objects.get(pk=device.pk)
    _check_transition(current, to_status, reason)
    return TransitionPreview(
        from_status=current.status,
        to_status=to_status,
        closes_assignment=current.assignments.filter(ended_on__isnull=True).first(),
    )


def close_open_assignment(*, device: Device, on: datetime.date, reason: str) -> Assignment | None:
    """End the device's open deployment (the caller holds the device's row lock)."""
    open_assignment = (
        Assignment.objects.select_for_update().filter(device=device, ended_on__isnull=True).first()
    )
    if open_assignment is None:
        return None
    open_assignment.ended_on = max(on, open_assignment.started_on)
    open_assignment.end_reason = clean_text(reason, 300)
    open_assignment.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return open_assignment


def device_transition(
    *, actor: User | None, device: Device, to_status: str, reason: str = "", on: datetime.date | None = None
) -> Device:
    """Move a device along its lifecycle. Leaving "deployed" closes its deployment the same day."""
    require_owner(actor, device.owner_id)
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        _check_transition(locked, to_status, reason)
        from_status = locked.status
        closed = None
        if from_status == DeviceStatus.DEPLOYED:
            closed = close_open_assignment(
                device=locked, on=on or timezone.localdate(), reason=reason or DeviceStatus(to_status).label
            )
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        _history(locked, actor=actor, from_status=from_status, to_status=to_status, reason=reason)
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.device.status_changed",
                    actor=actor,
                    organisation=locked.owner,
                    target=locked,
                    before={"status": from_status},
                    after={
                        "status": to_status,
                        "reason": clean_text(reason, 300),
                        "closed_assignment": closed.pk if closed else None,
                    },
                )
            ]
        )
    device.status = locked.status
    return locked


def kind_label(kind: str) -> str:
    return str(DeviceKind(kind).label)
