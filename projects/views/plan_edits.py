"""Changing and deleting what the work plan holds (the work plan's keeper): tasks, milestones and reporting
periods changed on their own page; tasks, milestones, periods, work packages and deliverables deleted
after a confirmation page, whose refusal (what depends on the item, a report past draft, a deliverable
past pending) the service names and the page shows, nothing deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from projects.forms.plan import MilestoneForm, PeriodForm, TaskEditForm
from projects.models import Deliverable, Milestone, ReportingPeriod, Task, WorkPackage
from projects.selectors import partner_list
from projects.services import projects as project_services
from projects.services import workplan as services
from projects.views.common import load
from projects.views.plan import _edit


def _keeper(request, acronym):
    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    return project


def _plan_url(project, anchor: str = "") -> str:
    return reverse("projects:work_plan", args=[project.acronym]) + anchor


@login_required
def task_edit(request, acronym, pk):
    project = _keeper(request, acronym)
    task = get_object_or_404(
        Task.objects.select_related("work_package"), work_package__project=project, pk=pk
    )
    initial = {name: getattr(task, name) for name in ("title", "leader", "start_month", "end_month")}
    initial["participants"] = list(task.participants.all())
    form = TaskEditForm(request.POST or None, initial=initial, partners=partner_list(project=project))

    def save(data):
        data["participants"] = list(data["participants"])
        return services.task_update(actor=request.user, task=task, **data)

    return _edit(
        request,
        project,
        form=form,
        save=save,
        back=_plan_url(project, f"#wp-{task.work_package.number}"),
        heading=_("Change %(code)s") % {"code": task.code},
        delete=reverse("projects:plan_delete", args=[project.acronym, "task", task.pk]),
    )


@login_required
def milestone_edit(request, acronym, pk):
    project = _keeper(request, acronym)
    milestone = get_object_or_404(Milestone, project=project, pk=pk)
    initial = {name: getattr(milestone, name) for name in ("title", "due_month", "means_of_verification")}
    initial["work_packages"] = list(milestone.work_packages.all())
    form = MilestoneForm(
        request.POST or None,
        initial=initial,
        work_packages=WorkPackage.objects.filter(project=project).order_by("number"),
    )

    def save(data):
        data["work_packages"] = list(data["work_packages"])
        return services.milestone_update(actor=request.user, milestone=milestone, **data)

    return _edit(
        request,
        project,
        form=form,
        save=save,
        back=_plan_url(project, "#milestones"),
        heading=_("Change %(code)s") % {"code": milestone.code},
        delete=reverse("projects:plan_delete", args=[project.acronym, "milestone", milestone.pk]),
    )


@login_required
def period_edit(request, acronym, pk):
    project = _keeper(request, acronym)
    period = get_object_or_404(ReportingPeriod, project=project, pk=pk)
    form = PeriodForm(
        request.POST or None, initial={"start_month": period.start_month, "end_month": period.end_month}
    )
    return _edit(
        request,
        project,
        form=form,
        save=lambda data: project_services.period_update(actor=request.user, period=period, **data),
        back=_plan_url(project, "#periods"),
        heading=_("Change %(code)s") % {"code": period.code},
        delete=reverse("projects:plan_delete", args=[project.acronym, "period", period.pk]),
    )


# kind -> (model, the lookup to its project, the service that deletes it)
DELETIONS = {
    "task": (
        Task,
        "work_package__project",
        lambda actor, obj: services.task_delete(actor=actor, task=obj),
    ),
    "milestone": (
        Milestone,
        "project",
        lambda actor, obj: services.milestone_delete(actor=actor, milestone=obj),
    ),
    "period": (
        ReportingPeriod,
        "project",
        lambda actor, obj: project_services.period_delete(actor=actor, period=obj),
    ),
    "wp": (
        WorkPackage,
        "project",
        lambda actor, obj: services.work_package_delete(actor=actor, work_package=obj),
    ),
    "deliverable": (
        Deliverable,
        "project",
        lambda actor, obj: services.deliverable_delete(actor=actor, deliverable=obj),
    ),
}


def _consequence(kind: str) -> str:
    return {
        "task": _("The task is removed from its work package."),
        "milestone": _("The milestone is removed from the work plan."),
        "period": _("The period and its empty draft report are removed."),
        "wp": _("The work package is removed, with the person-months planned as zero on it."),
        "deliverable": _("The deliverable and its timeline are removed; the audit trail keeps them."),
    }[kind]


@login_required
def plan_delete(request, acronym, kind, pk):
    """GET: what will be deleted, and that it cannot be undone. POST: the service deletes it, or its
    refusal is shown on the same page (400), nothing deleted."""
    project = _keeper(request, acronym)
    if kind not in DELETIONS:
        raise Http404
    model, scope, delete = DELETIONS[kind]
    obj = get_object_or_404(model, pk=pk, **{scope: project})
    title = getattr(obj, "title", None) or f"M{obj.start_month}-M{obj.end_month}"
    label = f"{obj.code} {title}"
    errors = []
    if request.method == "POST":
        try:
            delete(request.user, obj)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(item)s was deleted.") % {"item": obj.code})
            return redirect(_plan_url(project))
    return render(
        request,
        "projects/plan_delete.html",
        {
            "project": project,
            "label": label,
            "consequence": _consequence(kind),
            "errors": errors,
            "back": _plan_url(project),
        },
        status=400 if errors else 200,
    )
