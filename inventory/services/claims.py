"""The beneficiary registers on its expense report the devices it bought: for an invoice line, how
many devices of which model, and their serials. The devices are funded by the report's grant and
declared by that line; a serial already claimed by another grant is refused naming it."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from funding.choices import ExpenseReportStatus
from funding.models import ExpenseLine, ExpenseReport
from inventory.choices import DeviceStatus, FundingSource
from inventory.models import Device, DeviceModel
from inventory.models.claims import CallDeviceRule, InvoicedDevices
from inventory.services.common import Errors, clean_text, field_error
from inventory.services.devices import Funding, device_register
from portal.audit import AuditEntry, audit_record_many
from portal.models import User
from portal.permissions import can_manage_inventory_of

EDITABLE = (ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED)
ERROR_NOT_EDITABLE = _("The report is “%(status)s”: devices are declared while it is a draft or returned.")
ERROR_QUANTITY = _("Enter how many devices the invoice line bought (at least one).")
ERROR_MORE_THAN_INVOICED = _("The line invoices %(quantity)s devices: %(count)s would be registered on it.")
ERROR_NOT_DECLARED = _("Declare first how many devices of which model the invoice line bought.")
ERROR_NO_SERIALS = _("Enter the serial numbers, one per line.")
ERROR_SERIAL_TWICE = _("Serial number %(serial)s is listed twice.")
ERROR_COVERAGE = _(
    "The call requires the devices to be registered before verification: %(missing)s of %(invoiced)s "
    "invoiced devices are not registered yet."
)
ERROR_NONE_DECLARED = _(
    "The call funds devices: the beneficiary must declare on the report the devices each invoice line bought."
)


def call_rule(report: ExpenseReport) -> CallDeviceRule | None:
    from funding.services.expenses.verification import report_call

    call = report_call(report)
    return CallDeviceRule.objects.filter(call=call).first() if call is not None else None


def _require(actor: User | None, report: ExpenseReport) -> None:
    if actor is not None and not can_manage_inventory_of(actor, report.commitment.beneficiary_id):
        raise PermissionDenied


def _editable(report: ExpenseReport) -> ExpenseReport:
    locked = ExpenseReport.objects.select_for_update().select_related("commitment").get(pk=report.pk)
    if locked.status not in EDITABLE:
        raise field_error(
            "report", ERROR_NOT_EDITABLE, code="not_editable", status=ExpenseReportStatus(locked.status).label
        )
    return locked


def invoiced_devices_set(
    *, actor: User | None, line: ExpenseLine, model: DeviceModel, quantity
) -> InvoicedDevices:
    """Declare how many devices of `model` the invoice line bought."""
    _require(actor, line.report)
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity < 1:
        raise field_error("quantity", ERROR_QUANTITY, code="invalid")
    with transaction.atomic():
        _editable(line.report)
        registered = Device.objects.filter(expense_line=line).count()
        if registered > quantity:
            raise field_error(
                "quantity",
                ERROR_MORE_THAN_INVOICED,
                code="below_registered",
                quantity=quantity,
                count=registered,
            )
        declared, _created = InvoicedDevices.objects.update_or_create(
            expense_line=line, defaults={"model": model, "quantity": quantity}
        )
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.invoice_line.devices_declared",
                    actor=actor,
                    organisation=line.report.commitment.beneficiary,
                    target=line.report,
                    after={"line": line.pk, "model": model.pk, "quantity": quantity},
                )
            ]
        )
    return declared


def _share(amount: Decimal, count: int) -> Decimal:
    return (amount / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def expense_devices_register(
    *,
    actor: User | None,
    line: ExpenseLine,
    serials: list[str],
    warranty_end=None,
    asset_tags: list[str] | None = None,
) -> list[Device]:
    """Register the devices an invoice line bought, funded by the report's grant, declared by the
    line; each costs its share of the line (net and VAT divided by the quantity invoiced)."""
    _require(actor, line.report)
    serials = [clean_text(s, 100) for s in serials if clean_text(s, 100)]
    if not serials:
        raise field_error("serials", ERROR_NO_SERIALS, code="required")
    errors = Errors()
    seen = set()
    for serial in serials:
        if serial in seen:
            errors.add("serials", ERROR_SERIAL_TWICE, code="twice", serial=serial)
        seen.add(serial)
    errors.raise_if_any()
    with transaction.atomic():
        report = _editable(line.report)
        declared = InvoicedDevices.objects.select_related("model").filter(expense_line=line).first()
        if declared is None:
            raise field_error("quantity", ERROR_NOT_DECLARED, code="not_declared")
        count = Device.objects.filter(expense_line=line).count() + len(serials)
        if count > declared.quantity:
            raise field_error(
                "serials", ERROR_MORE_THAN_INVOICED, code="too_many", quantity=declared.quantity, count=count
            )
        net, vat = _share(line.net_amount, declared.quantity), _share(line.vat_amount, declared.quantity)
        devices = []
        for index, serial in enumerate(serials):
            try:
                devices.append(
                    device_register(
                        actor=actor,
                        owner=report.commitment.beneficiary,
                        model=declared.model,
                        serial_number=serial,
                        cost_net=net,
                        cost_vat=vat,
                        funding=Funding(
                            source=FundingSource.GRANT, commitment=report.commitment, expense_line=line
                        ),
                        asset_tag=(asset_tags or [])[index] if asset_tags and index < len(asset_tags) else "",
                        purchase_date=line.invoice_date,
                        warranty_end=warranty_end,
                        status=DeviceStatus.IN_STOCK,
                        reason=str(_("Declared on expense report n. %(report)s") % {"report": report.pk}),
                        audit_extra={"expense_report": report.pk},
                    )
                )
            except ValidationError as exc:
                raise ValidationError(
                    {"serials": [f"{serial}: {message}" for message in exc.messages]}
                ) from exc
    return devices


@dataclass(frozen=True)
class Coverage:
    line: ExpenseLine
    invoiced: int
    registered: int

    @property
    def missing(self) -> int:
        return max(self.invoiced - self.registered, 0)


def report_coverage(report: ExpenseReport) -> list[Coverage]:
    lines = list(report.lines.order_by("invoice_date", "pk"))
    declared = {
        d.expense_line_id: d.quantity for d in InvoicedDevices.objects.filter(expense_line__report=report)
    }
    registered = dict(
        Device.objects.filter(expense_line__report=report)
        .values("expense_line_id")
        .annotate(n=Count("pk"))
        .values_list("expense_line_id", "n")
    )
    return [
        Coverage(line=line, invoiced=declared.get(line.pk, 0), registered=registered.get(line.pk, 0))
        for line in lines
    ]


def check_coverage(*, report: ExpenseReport) -> None:
    """Refuse verification while the call requires devices that are not registered."""
    rule = call_rule(report)
    if rule is None or not rule.require_coverage:
        return
    coverage = [c for c in report_coverage(report) if c.line.eligible is not False]
    invoiced = sum(c.invoiced for c in coverage)
    if invoiced == 0:
        raise field_error("devices", ERROR_NONE_DECLARED, code="none_declared")
    missing = sum(c.missing for c in coverage)
    if missing:
        raise field_error("devices", ERROR_COVERAGE, code="coverage", missing=missing, invoiced=invoiced)
