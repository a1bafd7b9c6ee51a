"""Bulk import of devices from CSV or XLSX, all or nothing.

Every row is checked first (each problem named by row and column); if any row is wrong nothing is
written. Otherwise every device is registered (and deployed, where the row says where) in one
transaction, through the same services as the pages. A row whose serial is already registered for
the same owner and funding is left as it is, so importing the same file again changes nothing.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from funding.models import Commitment
from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus, FundingSource
from inventory.models import Device, DeviceModel, Site
from inventory.services.common import Errors, clean_text, require_any
from inventory.services.deployment import Target, _check_target, device_deploy
from inventory.services.devices import Funding, device_build, device_model_create, device_register
from portal.audit import AuditEntry, audit_record_many
from portal.models import Organisation, User
from portal.permissions import can_manage_inventory_of

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = (
    "serial_number",
    "manufacturer",
    "model",
    "kind",
    "owner_tax_code",
    "funding_source",
    "commitment",
    "eu_reference",
    "asset_tag",
    "purchase_date",
    "cost_net",
    "cost_vat",
    "warranty_end",
    "status",
    "deploy_to",
    "police_unit",
    "officer_service_number",
    "vehicle_plate",
    "licence_number",
    "installer",
    "site",
    "deployed_on",
)
REQUIRED = (
    "serial_number",
    "manufacturer",
    "model",
    "kind",
    "owner_tax_code",
    "funding_source",
    "cost_net",
    "cost_vat",
)

ERROR_FORMAT = _("Upload a CSV (UTF-8, comma or semicolon separated) or an XLSX file.")
ERROR_TOO_BIG = _("The file is too large: at most %(rows)s rows and 5 MB.")
ERROR_NO_ROWS = _("The file has no rows of devices.")
ERROR_MISSING_COLUMNS = _("Columns missing from the header: %(columns)s.")
ERROR_UNKNOWN_OWNER = _("No organisation has codice fiscale %(value)s.")
ERROR_NOT_YOURS = _("You cannot register devices of %(owner)s.")
ERROR_UNKNOWN_CHOICE = _("“%(value)s” is not one of: %(choices)s.")
ERROR_UNKNOWN_COMMITMENT = _("There is no commitment n. %(value)s.")
ERROR_UNKNOWN_SITE = _("%(owner)s has no site named “%(value)s”.")
ERROR_DATE = _("Enter a date as YYYY-MM-DD or DD/MM/YYYY.")
ERROR_DUPLICATE_IN_FILE = _("The same serial number of this model is already on row %(row)s.")
ERROR_REGISTERED_DIFFERENTLY = _(
    "Serial %(serial)s is already registered for %(owner)s with another funding: "
    "an import does not change it."
)
ERROR_MODEL_KIND = _("Model %(model)s is registered as “%(kind)s”.")


@dataclass
class RowError:
    row: int  # 1-based, the header being row 1
    column: str
    message: str


@dataclass
class ImportResult:
    created: list[Device] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


# --- Reading the file -------------------------------------------------------------------------------
def read_rows(uploaded) -> list[dict[str, str]]:
    """The rows as dicts keyed by lower-case header; ImportRefused on a file that cannot be read."""
    name = (getattr(uploaded, "name", "") or "").lower()
    data = uploaded.read()
    if len(data) > MAX_BYTES:
        raise ImportRefused([RowError(0, "file", str(ERROR_TOO_BIG % {"rows": MAX_ROWS}))])
    try:
        if name.endswith(".xlsx") or data[:2] == b"PK":
            rows = _xlsx_rows(data)
        else:
            rows = _csv_rows(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError) as exc:
        raise ImportRefused([RowError(0, "file", str(ERROR_FORMAT))]) from exc
    if not rows:
        raise ImportRefused([RowError(0, "file", str(ERROR_NO_ROWS))])
    if len(rows) > MAX_ROWS:
        raise ImportRefused([RowError(0, "file", str(ERROR_TOO_BIG % {"rows": MAX_ROWS}))])
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise ImportRefused(
            [RowError(1, "header", str(ERROR_MISSING_COLUMNS % {"columns": ", ".join(missing)}))]
        )
    return rows


def _normalise(header) -> str:
    return str(header or "").strip().lower().replace(" ", "_")


def _csv_rows(text: str) -> list[dict[str, str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines = [line for line in reader]
    if not lines:
        return []
    header = [_normalise(h) for h in lines[0]]
    return [
        {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        for cells in lines[1:]
        if any(c.strip() for c in cells)
    ]


def _xlsx_rows(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_normalise(h) for h in next(rows, [])]
    result = []
    for cells in rows:
        if cells is None or not any(c not in (None, "") for c in cells):
            continue
        result.append({h: _cell(cells[i] if i < len(cells) else None) for i, h in enumerate(header)})
    return result


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # a cost typed as a number: cleaned (and refused if not to the cent) later
    return str(value).strip()


# --- Checking and writing ---------------------------------------------------------------------------
def _date(value: str):
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise ValidationError(ERROR_DATE, code="invalid")


def _choice(value: str, choices) -> str:
    value = value.strip().lower()
    if value in choices.values:
        return value
    for choice in choices:
        if str(choice.label).lower() == value:
            return choice.value
    raise ValidationError(
        ERROR_UNKNOWN_CHOICE, code="invalid", params={"value": value, "choices": ", ".join(choices.values)}
    )


@dataclass
class Planned:
    row: int
    owner: Organisation
    model: DeviceModel | None
    model_spec: tuple[str, str, str]  # kind, manufacturer, name: created on write if missing
    kwargs: dict
    target: Target | None
    deployed_on: datetime.date | None


def _plan_row(actor, number: int, row: dict, errors: Errors, seen: dict) -> Planned | None:
    def get(column):
        return row.get(column, "") or ""

    kind = errors.check("kind", lambda: _choice(get("kind"), DeviceKind))
    owner = (
        Organisation.objects.filter(tax_code=get("owner_tax_code").upper()).first()
        if get("owner_tax_code")
        else None
    )
    if owner is None:
        errors.add("owner_tax_code", ERROR_UNKNOWN_OWNER, code="unknown", value=get("owner_tax_code"))
    elif actor is not None and not can_manage_inventory_of(actor, owner.pk):
        errors.add("owner_tax_code", ERROR_NOT_YOURS, code="forbidden", owner=owner.name)
    manufacturer, model_name = clean_text(get("manufacturer"), 100), clean_text(get("model"), 100)
    model = DeviceModel.objects.filter(manufacturer__iexact=manufacturer, name__iexact=model_name).first()
    if model is not None and kind and model.kind != kind:
        errors.add(
            "kind", ERROR_MODEL_KIND, code="model_kind", model=str(model), kind=model.get_kind_display()
        )
    source = errors.check("funding_source", lambda: _choice(get("funding_source"), FundingSource))
    commitment = None
    if get("commitment"):
        commitment = (
            Commitment.objects.select_related("beneficiary").filter(pk=get("commitment")).first()
            if get("commitment").isdigit()
            else None
        )
        if commitment is None:
            errors.add("commitment", ERROR_UNKNOWN_COMMITMENT, code="unknown", value=get("commitment"))
    status = errors.check("status", lambda: _choice(get("status") or DeviceStatus.IN_STOCK, DeviceStatus))
    purchase_date = errors.check("purchase_date", lambda: _date(get("purchase_date")))
    warranty_end = errors.check("warranty_end", lambda: _date(get("warranty_end")))
    deployed_on = errors.check("deployed_on", lambda: _date(get("deployed_on")))
    serial = clean_text(get("serial_number"), 100)
    key = (manufacturer.lower(), model_name.lower(), serial)
    if serial and key in seen:
        errors.add("serial_number", ERROR_DUPLICATE_IN_FILE, code="duplicate_in_file", row=seen[key])
    seen.setdefault(key, number)
    if errors.errors or owner is None:
        return None
    funding = Funding(source=source, commitment=commitment, eu_reference=get("eu_reference"))
    kwargs = {
        "owner": owner,
        "serial_number": serial,
        "cost_net": get("cost_net"),
        "cost_vat": get("cost_vat"),
        "funding": funding,
        "asset_tag": get("asset_tag"),
        "purchase_date": purchase_date,
        "warranty_end": warranty_end,
        "status": DeviceStatus.IN_STOCK if status == DeviceStatus.DEPLOYED else status,
    }
    target = None
    if get("deploy_to") or status == DeviceStatus.DEPLOYED:
        deploy_kind = errors.check("deploy_to", lambda: _choice(get("deploy_to"), AssignmentKind))
        site = None
        if deploy_kind == AssignmentKind.SITE:
            site = Site.objects.filter(owner=owner, name__iexact=get("site")).first()
            if site is None:
                errors.add("site", ERROR_UNKNOWN_SITE, code="unknown", owner=owner.name, value=get("site"))
        if deploy_kind:
            target = Target(
                kind=deploy_kind,
                police_unit=get("police_unit"),
                officer_service_number=get("officer_service_number"),
                vehicle_plate=get("vehicle_plate"),
                licence_number=get("licence_number"),
                installer=get("installer"),
                site=site,
            ).cleaned()
    return Planned(number, owner, model, (kind, manufacturer, model_name), kwargs, target, deployed_on)


def _existing(plan: Planned) -> Device | None:
    if plan.model is None:
        return None
    return Device.objects.filter(model=plan.model, serial_number=plan.kwargs["serial_number"]).first()


def _check_plan(plan: Planned, errors: Errors) -> bool:
    """Validate the device as the service would (without writing); True when it is already there
    unchanged (skipped on import)."""
    existing = _existing(plan)
    funding = plan.kwargs["funding"]
    if existing is not None:
        same = (
            existing.owner_id == plan.owner.pk
            and existing.funding_source == funding.source
            and (existing.commitment_id == (funding.commitment.pk if funding.commitment else None))
        )
        if same:
            return True
        if not existing.commitment_id:
            errors.add(
                "serial_number",
                ERROR_REGISTERED_DIFFERENTLY,
                code="registered_differently",
                serial=existing.serial_number,
                owner=str(existing.owner),
            )
            return False
    model = plan.model or DeviceModel(
        kind=plan.model_spec[0], manufacturer=plan.model_spec[1], name=plan.model_spec[2]
    )
    try:
        device = device_build(model=model if model.pk else None, **plan.kwargs)
    except ValidationError as exc:
        errors.merge(exc)
        return False
    if plan.target is not None:
        device.model = model
        _check_target(errors, device, plan.target)
    return False


def devices_import(*, actor: User | None, uploaded, dry_run: bool = False) -> ImportResult:
    """Check every row, then write all of them or none. ImportRefused carries the errors by row and
    column; a dry run checks and writes nothing."""
    require_any(actor)
    rows = read_rows(uploaded)
    result = ImportResult()
    plans: list[Planned] = []
    seen: dict = {}
    for index, row in enumerate(rows, start=2):
        errors = Errors()
        plan = _plan_row(actor, index, row, errors, seen)
        if plan is not None and not errors.errors and _check_plan(plan, errors):
            result.unchanged += 1
            plan = None
        for column, messages in errors.errors.items():
            for message in messages:
                result.errors.append(RowError(index, column, " ".join(ValidationError(message).messages)))
        if plan is not None and not errors.errors:
            plans.append(plan)
    if result.errors:
        raise ImportRefused(result.errors)
    if dry_run:
        return result
    with transaction.atomic():
        for plan in plans:
            try:
                model = (
                    plan.model
                    or DeviceModel.objects.filter(
                        manufacturer__iexact=plan.model_spec[1], name__iexact=plan.model_spec[2]
                    ).first()
                    or device_model_create(
                        actor=actor,
                        kind=plan.model_spec[0],
                        manufacturer=plan.model_spec[1],
                        name=plan.model_spec[2],
                    )
                )
                device = device_register(actor=actor, model=model, reason=str(_("Imported")), **plan.kwargs)
                if plan.target is not None:
                    device_deploy(actor=actor, device=device, target=plan.target, started_on=plan.deployed_on)
            except ValidationError as exc:  # someone else wrote the same serial in between
                errors = Errors()
                errors.merge(exc)
                raise ImportRefused(
                    [
                        RowError(plan.row, column, " ".join(ValidationError(m).messages))
                        for column, messages in errors.errors.items()
                        for m in messages
                    ]
                ) from exc
            except PermissionDenied as exc:
                raise ImportRefused(
                    [RowError(plan.row, "owner_tax_code", str(ERROR_NOT_YOURS % {"owner": plan.owner}))]
                ) from exc
            result.created.append(device)
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.import",
                    actor=actor,
                    after={
                        "file": getattr(uploaded, "name", ""),
                        "created": len(result.created),
                        "unchanged": result.unchanged,
                    },
                )
            ]
        )
    return result
