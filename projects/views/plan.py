"""The work plan from the browser (the coordinator's project manager): reporting periods, work packages,
tasks, planned effort, deliverables and milestones, each form one call to projects.services, whose
errors (a month outside the project or its work package, a code taken...) go back on the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.service_errors import apply_errors
from projects.choices import DeliverableStatus
from projects.forms.plan import (
    DeliverableForm,
    MilestoneAchievedForm,
    MilestoneForm,
    NewDeliverableForm,
    PeriodForm,
    PlannedEffortForm,
    TaskForm,
    WorkPackageForm,
)
from projects.models import Deliverable, WorkPackage
from projects.selectors import milestones, partner_list, reporting_periods, work_packages
from projects.services import projects as project_services
from projects.services import workplan as services
from projects.views.common import load


def _forms(project, data=None, which=None):
    partners = partner_list(project=project)
    wps = WorkPackage.objects.filter(project=project).order_by("number")
    ms = project.milestones.order_by("number")
    built = {
        "period": (PeriodForm, {}),
        "wp": (WorkPackageForm, {"partners": partners}),
        "task": (TaskForm, {"partners": partners, "work_packages": wps}),
        "effort": (PlannedEffortForm, {"partners": partners, "work_packages": wps}),
        "deliverable": (NewDeliverableForm, {"project": project, "partners": partners, "work_packages": wps}),
        "milestone": (MilestoneForm, {"work_packages": wps}),
        "achieved": (MilestoneAchievedForm, {"milestones": ms}),
    }
    return {
        name: form_class(data if name == which else None, prefix=name, **kwargs)
        for name, (form_class, kwargs) in built.items()
    }


def _perform(which, user, project, data):
    if which == "period":
        return project_services.period_create(actor=user, project=project, **data)
    if which == "wp":
        return services.work_package_create(actor=user, project=project, **data)
    if which == "task":
        wp = data.pop("work_package")
        data["participants"] = list(data["participants"])
        return services.task_create(actor=user, work_package=wp, **data)
    if which == "effort":
        return services.planned_effort_set(actor=user, **data)
    if which == "deliverable":
        wp = data.pop("work_package")
        return services.deliverable_create(actor=user, work_package=wp, **data)
    if which == "milestone":
        data["work_packages"] = list(data["work_packages"])
        return services.milestone_create(actor=user, project=project, **data)
    if which == "achieved":
        return services.milestone_achieve(actor=user, **data)
    raise PermissionDenied


@login_required
def work_plan(request, acronym):
    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    which = request.POST.get("action") if request.method == "POST" else None
    forms = _forms(project, request.POST, which)
    if request.method == "POST":
        if which not in forms:
            raise PermissionDenied
        form = forms[which]
        if form.is_valid():
            try:
                _perform(which, request.user, project, dict(form.cleaned_data))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved: the work plan was updated."))
                return redirect("projects:work_plan", acronym=acronym)
    return render(
        request,
        "projects/work_plan.html",
        {
            "project": project,
            "rights": rights,
            "forms": forms,
            "open": which,
            "periods": reporting_periods(project=project),
            "work_packages": work_packages(project=project).prefetch_related("deliverables"),
            "milestones": milestones(project=project),
        },
        status=400 if request.method == "POST" else 200,
    )


def _edit(request, project, *, form, save, back, heading, delete=None):
    if request.method == "POST" and form.is_valid():
        try:
            save(dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved: the work plan was updated."))
            return redirect(back)
    return render(
        request,
        "projects/item_form.html",
        {"project": project, "form": form, "heading": heading, "back": back, "delete": delete},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def work_package_edit(request, acronym, number):
    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    wp = get_object_or_404(WorkPackage, project=project, number=number)
    initial = {name: getattr(wp, name) for name in WorkPackageForm.base_fields}
    form = WorkPackageForm(request.POST or None, initial=initial, partners=partner_list(project=project))
    return _edit(
        request,
        project,
        form=form,
        save=lambda data: services.work_package_update(actor=request.user, work_package=wp, **data),
        back=reverse("projects:work_plan", args=[project.acronym]) + f"#wp-{wp.number}",
        heading=_("Change %(code)s") % {"code": wp.code},
        delete=reverse("projects:plan_delete", args=[project.acronym, "wp", wp.pk]),
    )


@login_required
def deliverable_edit(request, acronym, pk):
    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    deliverable = get_object_or_404(Deliverable, project=project, pk=pk)
    initial = {name: getattr(deliverable, name) for name in DeliverableForm.base_fields}
    form = DeliverableForm(
        request.POST or None, initial=initial, project=project, partners=partner_list(project=project)
    )
    if deliverable.status != DeliverableStatus.PREPARATION:
        form.fields["due_month"].disabled = True
        form.fields["due_month"].help_text = _(
            "Fixed once the deliverable left preparation: move its due date on its page, with a reason."
        )

    def save(data):
        if deliverable.status != DeliverableStatus.PREPARATION:
            data.pop("due_month", None)
        return services.deliverable_update(actor=request.user, deliverable=deliverable, **data)

    return _edit(
        request,
        project,
        form=form,
        save=save,
        back=reverse("projects:deliverable_detail", args=[project.acronym, deliverable.pk]),
        heading=_("Change %(code)s") % {"code": deliverable.code},
        delete=reverse("projects:plan_delete", args=[project.acronym, "deliverable", deliverable.pk]),
    )
