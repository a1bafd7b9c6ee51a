"""Pages with which the coordinator's project manager sets a project up: the project's data, its
partners and the planned budget (a partner's project manager edits its own partner's budget). Each
form calls one service of projects.services; its errors go back on the fields, nothing half-written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.choices import Role
from portal.formatting import format_money
from portal.models import Organisation
from portal.permissions import MANAGE_PROJECTS, organisation_ids_with_role, require
from portal.service_errors import apply_errors
from projects.forms.plan import (
    BudgetForm,
    ForeignPartnerForm,
    PartnerEditForm,
    PartnerForm,
    ProjectCreateForm,
    ProjectEditForm,
)
from projects.models import CostCategory, Partner, ReportingPeriod
from projects.selectors import budget_lines, partner_list
from projects.services import budget as budget_services
from projects.services import projects as services
from projects.views.common import load


def _managed_organisations(user):
    return Organisation.objects.filter(
        pk__in=organisation_ids_with_role(user, Role.EU_PROJECT_MANAGER), is_active=True
    ).order_by("name")


@login_required
def project_create(request):
    require(request.user, MANAGE_PROJECTS)
    organisations = _managed_organisations(request.user)
    form = ProjectCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The project was created: add its partners and work plan."))
            return redirect("projects:project_detail", acronym=project.acronym)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": None},
        status=400 if request.method == "POST" else 200,
    )


def _initial(project) -> dict:
    initial = {name: getattr(project, name) for name in ProjectEditForm.base_fields}
    for name in ("total_eligible_cost", "eu_contribution"):
        initial[name] = format_money(initial[name], symbol=False)
    return initial


@login_required
def project_edit(request, acronym):
    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    form = ProjectEditForm(request.POST or None, initial=_initial(project))
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_update(actor=request.user, project=project, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The project's data were saved."))
            return redirect("projects:project_detail", acronym=project.acronym)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def partners(request, acronym):
    """The consortium: add a partner, remove one that has nothing recorded (the coordinator's manager)."""
    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    form, foreign = PartnerForm(project=project), ForeignPartnerForm(prefix="foreign")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "add_foreign":
                foreign = ForeignPartnerForm(request.POST, prefix="foreign")
                if foreign.is_valid():
                    try:
                        services.partner_add_foreign_body(
                            actor=request.user, project=project, **foreign.cleaned_data
                        )
                    except ValidationError as exc:
                        apply_errors(foreign, exc)
                    else:
                        messages.success(request, _("The partner was added."))
                        return redirect("projects:partners", acronym=acronym)
            elif request.POST.get("action") == "remove":
                partner = get_object_or_404(Partner, pk=request.POST.get("partner"), project=project)
                services.partner_remove(actor=request.user, partner=partner)
                messages.success(request, _("The partner was removed."))
                return redirect("projects:partners", acronym=acronym)
            else:
                form = PartnerForm(request.POST, project=project)
            if form.is_bound and form.is_valid():
                services.partner_add(actor=request.user, project=project, **form.cleaned_data)
                messages.success(request, _("The partner was added."))
                return redirect("projects:partners", acronym=acronym)
        except ValidationError as exc:
            if hasattr(form, "cleaned_data"):
                apply_errors(form, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
    return render(
        request,
        "projects/partners.html",
        {
            "project": project,
            "rights": rights,
            "partners": partner_list(project=project),
            "form": form,
            "foreign": foreign,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def partner_edit(request, acronym, pk):
    """A partner's role and short name (the work plan's keeper); a second coordinator is refused, named."""
    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    partner = get_object_or_404(Partner.objects.select_related("organisation"), project=project, pk=pk)
    form = PartnerEditForm(
        request.POST or None, initial={"role": partner.role, "short_name": partner.short_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(actor=request.user, partner=partner, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The partner was changed."))
            return redirect("projects:partners", acronym=acronym)
    return render(
        request,
        "projects/item_form.html",
        {
            "project": project,
            "form": form,
            "heading": _("Change partner %(partner)s · %(organisation)s")
            % {"partner": partner, "organisation": partner.organisation.name},
            "back": reverse("projects:partners", args=[project.acronym]),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def budget(request, acronym):
    """The planned budget per partner, cost category and period. The coordinator's manager sets the whole
    budget; a partner's manager its own partner's. "Check the sums" writes nothing; "Save" is refused,
    with the difference, unless the budget adds up to the total eligible cost."""
    project, rights = load(request, acronym)
    if not rights.edits_anything:
        raise PermissionDenied
    editable = partner_list(project=project)
    if not rights.edits_work_plan:
        editable = editable.filter(pk__in=rights.partner_ids)
    editable = list(editable)
    # a partner's manager replaces only their partners' budget (two, if both organisations are partners)
    scope = {} if rights.edits_work_plan else {"partners": editable}
    categories = list(CostCategory.objects.filter(programme=project.programme).order_by("order"))
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("number"))
    initial = {
        f"b_{line.partner_id}_{line.category_id}_{line.period_id}": format_money(line.amount, symbol=False)
        for line in budget_lines(project=project)
    }
    form = BudgetForm(
        request.POST or None, initial=initial, partners=editable, categories=categories, periods=periods
    )
    check = None
    if request.method == "POST" and form.is_valid():
        preview = request.POST.get("action") == "preview"
        try:
            if preview:
                check = budget_services.budget_preview(
                    actor=request.user, project=project, entries=form.entries(), **scope
                )
            else:
                budget_services.budget_set(
                    actor=request.user, project=project, entries=form.entries(), **scope
                )
                messages.success(request, _("The budget was saved: it adds up to the total eligible cost."))
                return redirect("projects:budget", acronym=acronym)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(
        request,
        "projects/budget_form.html",
        {
            "project": project,
            "rights": rights,
            "form": form,
            "periods": periods,
            "check": check,
            "by_partner": (
                [(p, check.by_partner.get(p.pk, 0)) for p in partner_list(project=project)] if check else []
            ),
        },
        status=400 if request.method == "POST" and check is None else 200,
    )
