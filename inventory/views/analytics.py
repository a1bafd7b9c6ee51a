"""Analytics pages: the output of the devices at a site or in a comune (events per day by kind, chart
and table, and the latest events), and the analytics sources with their keys (a new key is shown
once, in the answer to the request that created it, never stored in clear)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from inventory import conf
from inventory.analytics_selectors import daily_table, latest_events, scope_filter, source_list
from inventory.forms import RotateKeyForm, RuleForm, SourceForm
from inventory.models import AnalyticsEpisode, Site
from inventory.selectors import site_list
from inventory.services import rules, sources
from inventory.views.devices import InventoryView, managed_organisations
from portal.models import Comune
from portal.permissions import can_manage_any_inventory, can_manage_inventory_of
from portal.security import visible_or_404


def analytics_context(*, user, scope, **extra) -> dict:
    table = daily_table(user=user, scope=scope)
    return {
        "table": table,
        "latest": list(latest_events(user=user, scope=scope)),
        "retention_days": conf.get("ANALYTICS_RETENTION_DAYS"),
        **extra,
    }


class AnalyticsView(InventoryView):
    """Output per site or per comune: `?site=<id>` or `?comune=<ISTAT code>`."""

    template_name = "inventory/analytics.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sites = site_list(user=user).order_by("comune__name", "name")
        site = comune = None
        if self.request.GET.get("site", "").isdigit():
            site = get_object_or_404(sites, pk=self.request.GET["site"])
        elif self.request.GET.get("comune"):
            comune = get_object_or_404(Comune, istat_code=self.request.GET["comune"])
        comuni = {s.comune.istat_code: s.comune for s in sites}
        context = {
            **super().get_context_data(**kwargs),
            "sites": sites,
            "comuni": sorted(comuni.values(), key=str),
        }
        if site or comune:
            scope = scope_filter(site=site, comune=comune)
            context.update(analytics_context(user=user, scope=scope, site=site, comune=comune))
        return context


@method_decorator(never_cache, name="dispatch")
class SourceListView(InventoryView):
    template_name = "inventory/sources.html"
    http_method_names = ["get", "post", "head", "options"]

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        manages = can_manage_any_inventory(user)
        return {
            **super().get_context_data(**kwargs),
            "sources": source_list(user=user).order_by("owner__name", "name"),
            "form": form or (SourceForm(owners=managed_organisations(user)) if manages else None),
            "retention_days": conf.get("ANALYTICS_RETENTION_DAYS"),
        }

    def post(self, request, *args, **kwargs):
        if not can_manage_any_inventory(request.user):
            raise PermissionDenied
        form = SourceForm(request.POST, owners=managed_organisations(request.user))
        if form.is_valid():
            try:
                issued = sources.source_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                return _show_key(request, issued)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _show_key(request, issued):
    return TemplateResponse(
        request,
        "inventory/source_key.html",
        {"source": issued.source, "key": issued.key, "inventory_page": True},
    )


@method_decorator(never_cache, name="dispatch")
class SourceDetailView(InventoryView):
    template_name = "inventory/source_detail.html"
    http_method_names = ["get", "post", "head", "options"]

    @staticmethod
    def sites(source):
        return Site.objects.filter(owner_id=source.owner_id).order_by("name")

    def get_source(self):
        return visible_or_404(self.request, source_list(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, source=None, form=None, rule_form=None, **kwargs):
        source = source or self.get_source()
        manages = can_manage_inventory_of(self.request.user, source.owner_id) and source.is_active
        return {
            **super().get_context_data(**kwargs),
            "source": source,
            "keys": source.keys.order_by("-created_at"),
            "rules": source.rules.select_related("site").order_by("name"),
            "episodes": AnalyticsEpisode.objects.filter(rule__source=source)
            .select_related("rule")
            .order_by("-started_at")[:20],
            "manages": manages,
            "rotate_form": form or (RotateKeyForm() if manages else None),
            "rule_form": rule_form or (RuleForm(sites=self.sites(source)) if manages else None),
            "retention_days": conf.get("ANALYTICS_RETENTION_DAYS"),
        }

    def post(self, request, *args, **kwargs):
        source = self.get_source()
        if not can_manage_inventory_of(request.user, source.owner_id):
            raise PermissionDenied
        if request.POST.get("action") == "revoke":
            try:
                sources.source_revoke(actor=request.user, source=source)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The source is revoked: its keys no longer work."))
            return redirect("inventory:source_detail", pk=source.pk)
        if request.POST.get("action") == "rule":
            rule_form = RuleForm(request.POST, sites=self.sites(source))
            if rule_form.is_valid():
                try:
                    rules.rule_create(actor=request.user, source=source, **rule_form.cleaned_data)
                except ValidationError as exc:
                    rule_form.apply_errors(exc)
                else:
                    messages.success(request, _("The rule is recorded."))
                    return redirect("inventory:source_detail", pk=source.pk)
            context = self.get_context_data(source=source, rule_form=rule_form)
            return self.render_to_response(context, status=400)
        form = RotateKeyForm(request.POST)
        if form.is_valid():
            try:
                issued = sources.source_rotate_key(actor=request.user, source=source, **form.cleaned_data)
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                return _show_key(request, issued)
        return self.render_to_response(self.get_context_data(source=source, form=form), status=400)
