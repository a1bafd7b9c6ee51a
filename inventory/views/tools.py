"""The import page (CSV or XLSX, all or nothing, errors by row and column) and the labels PDF."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from inventory.filtersets import DeviceFilterSet
from inventory.forms import ImportForm
from inventory.labels import MAX_LABELS, labels_pdf
from inventory.selectors import device_list
from inventory.services.imports import COLUMNS, ImportRefused, devices_import
from inventory.views.devices import InventoryView, ManageView
from portal.security import visible_or_404


class ImportView(ManageView):
    template_name = "inventory/import.html"

    def context(self, form, **extra):
        return {"form": form, "columns": COLUMNS, "inventory_page": True, **extra}

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, self.template_name, self.context(ImportForm()))

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return TemplateResponse(request, self.template_name, self.context(form), status=400)
        try:
            result = devices_import(
                actor=request.user, uploaded=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
        except ImportRefused as refused:
            return TemplateResponse(
                request, self.template_name, self.context(ImportForm(), errors=refused.errors), status=400
            )
        if form.cleaned_data["dry_run"]:
            messages.info(request, _("The file is correct: nothing was written (check only)."))
            return TemplateResponse(request, self.template_name, self.context(ImportForm(), checked=True))
        messages.success(
            request,
            _("%(created)s devices registered, %(unchanged)s already there and left unchanged.")
            % {"created": len(result.created), "unchanged": result.unchanged},
        )
        return redirect("inventory:device_list")


def _labels_response(devices, filename: str) -> HttpResponse:
    response = HttpResponse(labels_pdf(devices), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class LabelsView(InventoryView):
    """Labels of the devices the list shows with the same filters (up to twenty sheets)."""

    def get(self, request, *args, **kwargs):
        filterset = DeviceFilterSet(
            request.GET or None, queryset=device_list(user=request.user).order_by("pk")
        )
        devices = list(filterset.qs[:MAX_LABELS])
        if not devices:
            messages.warning(request, _("No device matches: there is no label to print."))
            return redirect("inventory:device_list")
        return _labels_response(devices, "etichette.pdf")


class DeviceLabelView(InventoryView):
    def get(self, request, *args, **kwargs):
        device = visible_or_404(request, device_list(user=request.user), pk=kwargs["pk"])
        return _labels_response([device], f"etichetta-{device.pk}.pdf")
