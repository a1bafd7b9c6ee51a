"""The devices of an expense report: per invoice line, how many devices it bought and their serials.
The beneficiary declares and registers them while the report is a draft; officials and auditors
read what is covered before verifying."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from funding.models import ExpenseLine, ExpenseReport
from inventory.forms import InvoicedDevicesForm, SerialsForm
from inventory.models import Device, InvoicedDevices
from inventory.services.claims import (
    EDITABLE,
    call_rule,
    expense_devices_register,
    invoiced_devices_set,
    report_coverage,
)
from portal.permissions import READ_ALL, can, can_manage_inventory_of


class ExpenseDevicesView(View):
    template_name = "inventory/expense_devices.html"

    def get_report(self, request) -> tuple[ExpenseReport, bool]:
        if not request.user.is_authenticated:
            raise PermissionDenied
        report = get_object_or_404(
            ExpenseReport.objects.select_related("commitment__beneficiary", "application__call"),
            pk=self.kwargs["pk"],
        )
        manages = can_manage_inventory_of(request.user, report.commitment.beneficiary_id)
        if not (manages or can(request.user, READ_ALL)):
            raise PermissionDenied
        return report, manages and report.status in EDITABLE

    def render(self, request, report, editable, forms=None, status=200):
        coverage = report_coverage(report)
        declared = {d.expense_line_id: d for d in InvoicedDevices.objects.filter(expense_line__report=report)}
        devices = {}
        for device in (
            Device.objects.filter(expense_line__report=report).select_related("model").order_by("pk")
        ):
            devices.setdefault(device.expense_line_id, []).append(device)
        rows = [
            {
                "coverage": c,
                "declared": declared.get(c.line.pk),
                "devices": devices.get(c.line.pk, []),
                "declare_form": (forms or {}).get(("declare", c.line.pk))
                or (
                    InvoicedDevicesForm(prefix=f"d{c.line.pk}", initial=_initial(declared.get(c.line.pk)))
                    if editable
                    else None
                ),
                "serials_form": (forms or {}).get(("serials", c.line.pk))
                or (SerialsForm(prefix=f"s{c.line.pk}") if editable and declared.get(c.line.pk) else None),
            }
            for c in coverage
        ]
        return TemplateResponse(
            request,
            self.template_name,
            {
                "report": report,
                "rule": call_rule(report),
                "rows": rows,
                "editable": editable,
                "invoiced": sum(c.invoiced for c in coverage),
                "registered": sum(c.registered for c in coverage),
                "inventory_page": True,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        report, editable = self.get_report(request)
        return self.render(request, report, editable)

    def post(self, request, *args, **kwargs):
        report, editable = self.get_report(request)
        if not editable:
            raise PermissionDenied
        line = get_object_or_404(ExpenseLine, pk=request.POST.get("line"), report=report)
        if request.POST.get("action") == "declare":
            form = InvoicedDevicesForm(request.POST, prefix=f"d{line.pk}")
            key = ("declare", line.pk)
            call = lambda data: invoiced_devices_set(actor=request.user, line=line, **data)  # noqa: E731
        else:
            form = SerialsForm(request.POST, prefix=f"s{line.pk}")
            key = ("serials", line.pk)
            call = lambda data: expense_devices_register(actor=request.user, line=line, **data)  # noqa: E731
        if form.is_valid():
            try:
                call(form.service_kwargs())
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("inventory:expense_devices", pk=report.pk)
        return self.render(request, report, editable, forms={key: form}, status=400)


def _initial(declared):
    return {"model": declared.model_id, "quantity": declared.quantity} if declared else None
