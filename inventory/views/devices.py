"""The device list (with the FilterSet the API uses), a device's page with its timeline, and the
forms that register, deploy and move devices along their lifecycle (each a call to a service)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from funding.models import Commitment
from inventory import conf
from inventory.analytics_selectors import daily_table, latest_events, scope_filter
from inventory.choices import ASSIGNMENT_KINDS, DeviceStatus
from inventory.filtersets import DeviceFilterSet
from inventory.forms import DeployForm, DeviceRegisterForm, SiteForm, TransitionForm
from inventory.models import Device
from inventory.selectors import (
    device_assignments,
    device_history,
    device_list,
    device_table,
    device_with_grant,
)
from inventory.services import deployment, devices
from portal.models import Organisation
from portal.permissions import (
    READ_ALL,
    READ_INVENTORY,
    CapabilityRequiredMixin,
    can,
    can_manage_any_inventory,
    can_manage_inventory_of,
    inventory_managed_organisation_ids,
)
from portal.security import visible_or_404


class InventoryView(CapabilityRequiredMixin, TemplateView):
    capability = READ_INVENTORY
    extra_context = {"inventory_page": True}


def managed_organisations(user):
    managed = inventory_managed_organisation_ids(user)
    qs = Organisation.objects.filter(is_active=True).order_by("name")
    return qs if managed is None else qs.filter(pk__in=managed)


class DeviceListView(InventoryView):
    template_name = "inventory/device_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        devices = device_table(device_list(user=user)).order_by("-pk")
        filterset = DeviceFilterSet(self.request.GET or None, queryset=devices)
        page = Paginator(filterset.qs, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_manage": can_manage_any_inventory(user),
        }


def timeline(history, assignments) -> list[dict]:
    """Status changes and deployments of a device in one chronological list, newest first."""
    events = [
        {"when": row.changed_at.date(), "at": row.changed_at, "kind": "status", "row": row} for row in history
    ]
    for a in assignments:
        events.append({"when": a.started_on, "at": None, "kind": "deployed", "row": a})
        if a.ended_on:
            events.append({"when": a.ended_on, "at": None, "kind": "ended", "row": a})
    return sorted(events, key=lambda e: (e["when"], e["at"] is not None, e["kind"] != "ended"), reverse=True)


class DeviceDetailView(InventoryView):
    template_name = "inventory/device_detail.html"
    http_method_names = ["get", "post", "head", "options"]

    def get_device(self) -> Device:
        return visible_or_404(self.request, device_with_grant(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, device=None, transition_form=None, deploy_form=None, **kwargs):
        user = self.request.user
        device = device or self.get_device()
        history = list(device_history(user=user, device=device).order_by("changed_at", "pk"))
        assignments = list(device_assignments(user=user, device=device).order_by("started_on", "pk"))
        manages = can_manage_inventory_of(user, device.owner_id) and not device.is_final
        kinds = ASSIGNMENT_KINDS[device.model.kind]
        scope = scope_filter(device=device)
        return {
            **super().get_context_data(**kwargs),
            "device": device,
            "table": daily_table(user=user, scope=scope),
            "latest": list(latest_events(user=user, scope=scope, limit=10)),
            "retention_days": conf.get("ANALYTICS_RETENTION_DAYS"),
            "current": next((a for a in assignments if a.ended_on is None), None),
            "timeline": timeline(history, assignments),
            "manages": manages,
            "reader": can(user, READ_ALL),
            "transition_form": transition_form or (TransitionForm(device=device) if manages else None),
            "deploy_form": deploy_form
            or (
                DeployForm(device=device, kinds=kinds)
                if manages
                and device.status in (DeviceStatus.IN_STOCK, DeviceStatus.MAINTENANCE, DeviceStatus.DEPLOYED)
                else None
            ),
        }

    def post(self, request, *args, **kwargs):
        device = self.get_device()
        if not can_manage_inventory_of(request.user, device.owner_id):
            raise PermissionDenied
        kinds = ASSIGNMENT_KINDS[device.model.kind]
        if request.POST.get("action") == "deploy":
            form = DeployForm(request.POST, device=device, kinds=kinds)
            if form.is_valid():
                try:
                    deployment.device_deploy(actor=request.user, device=device, **form.service_kwargs())
                except ValidationError as exc:
                    form.apply_errors(exc)
                else:
                    messages.success(request, _("The device is deployed."))
                    return redirect("inventory:device_detail", pk=device.pk)
            return self.render_to_response(self.get_context_data(device=device, deploy_form=form), status=400)
        form = TransitionForm(request.POST, device=device)
        if form.is_valid():
            try:
                devices.device_transition(actor=request.user, device=device, **form.cleaned_data)
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("The status is changed."))
                return redirect("inventory:device_detail", pk=device.pk)
        return self.render_to_response(self.get_context_data(device=device, transition_form=form), status=400)


class ManageView(CapabilityRequiredMixin, TemplateView):
    """A form page for whoever manages some organisation's devices; the service checks which."""

    capability = READ_INVENTORY
    http_method_names = ["get", "post", "head", "options"]
    extra_context = {"inventory_page": True}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_manage_any_inventory(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return TemplateResponse(
            self.request, self.template_name, {"form": form, "inventory_page": True}, status=status
        )


class DeviceRegisterView(ManageView):
    template_name = "inventory/device_form.html"

    def form(self, data=None):
        user = self.request.user
        owners = managed_organisations(user)
        managed = inventory_managed_organisation_ids(user)
        commitments = Commitment.objects.select_related("beneficiary").order_by("-pk")
        if managed is not None:
            commitments = commitments.filter(beneficiary_id__in=managed)
        return DeviceRegisterForm(data, owners=owners, commitments=commitments)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.form())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                device = devices.device_register(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("The device is registered."))
                return redirect("inventory:device_detail", pk=device.pk)
        return self.render_form(form, status=400)


class SiteCreateView(ManageView):
    template_name = "inventory/site_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_form(SiteForm(owners=managed_organisations(request.user)))

    def post(self, request, *args, **kwargs):
        form = SiteForm(request.POST, owners=managed_organisations(request.user))
        if form.is_valid():
            try:
                deployment.site_create(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("The site is recorded."))
                return redirect("inventory:map")
        return self.render_form(form, status=400)
