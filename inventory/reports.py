"""Reports of the inventory (PDF, XLSX, CSV through reporting/): the inventory register, funded
versus deployed per call, and a device's history."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.choices import CallStatus
from funding.models import Call
from inventory.filtersets import DeviceFilterSet
from inventory.models import Device
from inventory.selectors import (
    FLAG_NOT_REGISTERED,
    FLAG_OUT_OF_WARRANTY,
    FLAG_PAID_NOT_DEPLOYED,
    FLAG_SILENT,
    device_assignments,
    device_history,
    device_list,
    funded_vs_deployed,
)
from portal.permissions import READ_INVENTORY
from reporting.registry import Column, ColumnType, Report, ReportForm, filter_queryset, register

CHUNK = 2000
FLAG_TEXT = {
    FLAG_PAID_NOT_DEPLOYED: _("Paid more than 90 days ago, nothing deployed"),
    FLAG_NOT_REGISTERED: _("Paid, no device registered"),
    FLAG_OUT_OF_WARRANTY: _("Devices beyond their warranty"),
    FLAG_SILENT: _("Deployed but silent"),
}


# --- The inventory register -------------------------------------------------------------------------
def register_rows(*, user, params):
    devices = filter_queryset(DeviceFilterSet, device_list(user=user), params).order_by("owner__name", "pk")
    for d in devices.iterator(chunk_size=CHUNK):
        current = d.open_assignments[0] if d.open_assignments else None
        yield (
            d.asset_tag or "",
            d.serial_number,
            d.model.get_kind_display(),
            str(d.model),
            d.owner.name,
            d.get_status_display(),
            current.target_label if current else "",
            current.site.comune.name if current and current.site_id else "",
            d.get_funding_source_display(),
            d.commitment_id,
            d.eu_reference,
            d.purchase_date,
            d.warranty_end,
            d.cost_net,
            d.cost_vat,
        )


def register_count(*, user, params) -> int:
    return filter_queryset(DeviceFilterSet, device_list(user=user), params).count()


register(
    Report(
        key="inventory.register",
        title=_("Inventory register"),
        description=_(
            "Every funded device: owner, status, where it is, what paid for it, cost and warranty."
        ),
        capability=READ_INVENTORY,
        filterset_class=DeviceFilterSet,
        columns=(
            Column("asset_tag", _("Asset tag")),
            Column("serial", _("Serial number")),
            Column("kind", _("Kind")),
            Column("model", _("Model")),
            Column("owner", _("Owner")),
            Column("status", _("Status")),
            Column("where", _("Deployed at")),
            Column("comune", _("Comune")),
            Column("funding", _("Funding source")),
            Column("commitment", _("Grant n."), ColumnType.CODE),
            Column("eu", _("EU project reference"), in_pdf=False),
            Column("purchase_date", _("Purchase date"), ColumnType.DATE, in_pdf=False),
            Column("warranty_end", _("Warranty until"), ColumnType.DATE),
            Column("cost_net", _("Cost, net of VAT"), ColumnType.MONEY, total=True),
            Column("cost_vat", _("VAT"), ColumnType.MONEY, total=True),
        ),
        rows=register_rows,
        count=register_count,
        dense=True,
    )
)


# --- Funded versus deployed, per call ---------------------------------------------------------------
class CallForm(ReportForm):
    call = forms.ModelChoiceField(
        queryset=Call.objects.exclude(status=CallStatus.DRAFT).order_by("-opens_at", "title"),
        to_field_name="code",
        label=_("Call"),
    )


def funded_rows(*, user, params):
    for r in funded_vs_deployed(user=user, call=params["call"]):
        yield (
            r.beneficiary,
            r.commitment_id,
            r.granted,
            r.liquidated,
            r.declared,
            r.registered,
            r.deployed,
            r.producing,
            r.faulty,
            r.decommissioned,
            r.out_of_warranty,
            r.cost_per_device,
            "; ".join(str(FLAG_TEXT[f]) for f in r.flags),
        )


def funded_count(*, user, params) -> int:
    return len(funded_vs_deployed(user=user, call=params["call"]))


register(
    Report(
        key="inventory.funded_vs_deployed",
        title=_("Funded and deployed devices, per call"),
        description=_(
            "Per beneficiary of a call: granted, liquidated, devices declared, registered, deployed, "
            "producing analytics output, faulty or decommissioned, cost per device and the flags."
        ),
        capability=READ_INVENTORY,
        form_class=CallForm,
        columns=(
            Column("beneficiary", _("Beneficiary")),
            Column("commitment", _("Grant n."), ColumnType.CODE),
            Column("granted", _("Granted"), ColumnType.MONEY, total=True),
            Column("liquidated", _("Liquidated"), ColumnType.MONEY, total=True),
            Column("declared", _("Declared"), ColumnType.INT, total=True),
            Column("registered", _("Registered"), ColumnType.INT, total=True),
            Column("deployed", _("Deployed"), ColumnType.INT, total=True),
            Column("producing", _("Producing output"), ColumnType.INT, total=True),
            Column("faulty", _("Faulty"), ColumnType.INT, total=True),
            Column("decommissioned", _("Decommissioned"), ColumnType.INT, total=True),
            Column("out_of_warranty", _("Beyond warranty"), ColumnType.INT, total=True),
            Column("cost_per_device", _("Cost per device"), ColumnType.MONEY),
            Column("flags", _("Flags")),
        ),
        rows=funded_rows,
        count=funded_count,
        subtitle=lambda params: [str(params["call"])] if params.get("call") else [],
    )
)


# --- A device's history ---------------------------------------------------------------------------------
class DeviceForm(ReportForm):
    """The devices the user may read, by asset tag, serial and model (never an internal id to type)."""

    device = forms.ModelChoiceField(label=_("Device"), queryset=None, empty_label=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["device"]
        field.queryset = device_list(user=user).select_related("model").order_by("asset_tag", "serial_number")
        field.label_from_instance = lambda d: " · ".join(
            part for part in (d.asset_tag, d.serial_number, str(d.model)) if part
        )


def _pk(value) -> int | None:
    return getattr(value, "pk", value)


def _device(user, params) -> Device | None:
    return device_list(user=user).filter(pk=_pk(params["device"])).first()


def history_rows(*, user, params):
    device = _device(user, params)
    if device is None:
        return
    events = [
        (
            row.changed_at,
            str(_("Status")),
            row.get_from_status_display() or "—",
            row.get_to_status_display(),
            row.reason,
            row.changed_by.email if row.changed_by_id else "",
        )
        for row in device_history(user=user, device=device)
    ]
    for a in device_assignments(user=user, device=device):
        events.append((a.started_on, str(_("Deployed")), "", a.target_label, "", ""))
        if a.ended_on:
            events.append((a.ended_on, str(_("Deployment ended")), a.target_label, "", a.end_reason, ""))

    def day(value):
        return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value

    for when, *rest in sorted(events, key=lambda e: day(e[0])):
        yield (day(when), *rest)


def history_count(*, user, params) -> int:
    device = _device(user, params)
    if device is None:
        return 0
    return device.history.count() + sum(2 if a.ended_on else 1 for a in device.assignments.all())


def history_subtitle(params) -> list[str]:
    device = Device.objects.select_related("model", "owner").filter(pk=_pk(params.get("device"))).first()
    return [f"{device.model} · {device.serial_number} · {device.owner}"] if device else []


register(
    Report(
        key="inventory.device_history",
        title=_("History of a device"),
        description=_("Every status change and deployment of one device, oldest first."),
        capability=READ_INVENTORY,
        form_class=DeviceForm,
        columns=(
            Column("date", _("Date"), ColumnType.DATE),
            Column("event", _("Event")),
            Column("from", _("From")),
            Column("to", _("To")),
            Column("reason", _("Reason")),
            Column("by", _("By")),
        ),
        rows=history_rows,
        count=history_count,
        subtitle=history_subtitle,
        landscape=False,
    )
)
