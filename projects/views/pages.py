"""Project pages: the list, the project with its timeline, budget and effort, the public page, the
deliverables register and the private calendar feed. Reads come from projects.selectors."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.constants import ZERO
from portal.permissions import MANAGE_PROJECTS, READ_ALL, can
from projects import timeline
from projects.filtersets import DeliverableFilterSet, ProjectFilterSet
from projects.models import CalendarFeed, CostCategory, Project
from projects.selectors import (
    budget_status,
    deliverable_list,
    deliverable_table,
    effort_status,
    milestones,
    partner_list,
    project_list,
    public_deliverables,
    reporting_periods,
    work_packages,
)
from projects.services.feeds import calendar_feed_create, calendar_feed_revoke, calendar_ics
from projects.views.common import load


@login_required
def project_list_view(request):
    if not (can(request.user, MANAGE_PROJECTS) or can(request.user, READ_ALL)):
        raise PermissionDenied
    filterset = ProjectFilterSet(
        request.GET or None, queryset=project_list(user=request.user).order_by("acronym")
    )
    return render(
        request,
        "projects/project_list.html",
        {"filterset": filterset, "projects": filterset.qs, "can_create": can(request.user, MANAGE_PROJECTS)},
    )


def _budget_context(project):
    categories = list(CostCategory.objects.filter(programme=project.programme).order_by("order"))
    rows = budget_status(project=project)
    used = [c for c in categories if any(r.planned.get(c.pk) or r.actual.get(c.pk) for r in rows)]
    table = []
    for row in rows:
        cells = [(row.planned.get(c.pk, ZERO), row.actual.get(c.pk, ZERO)) for c in used]
        table.append(
            {"partner": row.partner, "cells": cells, "planned": row.planned_total, "actual": row.actual_total}
        )
    totals = [
        (sum((r["cells"][i][0] for r in table), ZERO), sum((r["cells"][i][1] for r in table), ZERO))
        for i in range(len(used))
    ]
    chart = {
        "labels": [r["partner"].short_name for r in table],
        "planned": [float(r["planned"]) for r in table],
        "actual": [float(r["actual"]) for r in table],
        "planned_label": _("Planned"),
        "actual_label": _("Spent"),
    }
    return {
        "categories": used,
        "budget_rows": table,
        "budget_totals": totals,
        "budget_planned": sum((r["planned"] for r in table), ZERO),
        "budget_actual": sum((r["actual"] for r in table), ZERO),
        "chart": chart,
    }


def _effort_context(project, wps, partners):
    efforts = effort_status(project=project)
    rows = []
    for wp in wps:
        cells = [efforts.get((wp.pk, p.pk), (Decimal("0.00"), Decimal("0.00"))) for p in partners]
        rows.append(
            {
                "wp": wp,
                "cells": cells,
                "planned": sum(c[0] for c in cells),
                "actual": sum(c[1] for c in cells),
            }
        )
    return {"effort_rows": rows}


@login_required
def project_detail(request, acronym):
    project, rights = load(request, acronym)
    wps = list(work_packages(project=project))
    partners = list(partner_list(project=project))
    deliverables = list(deliverable_list(user=request.user, project=project))
    ms = list(milestones(project=project))
    feeds = CalendarFeed.objects.filter(project=project, user=request.user, revoked_at__isnull=True)
    context = {
        "project": project,
        "rights": rights,
        "partners": partners,
        "work_packages": wps,
        "deliverables": deliverables,
        "milestones": ms,
        "periods": reporting_periods(project=project),
        "timeline": timeline.build(project, wps, deliverables, ms),
        "today": timezone.localdate(),
        "feeds": feeds,
        **_budget_context(project),
        **_effort_context(project, wps, partners),
    }
    return render(request, "projects/project_detail.html", context)


def project_public(request, acronym):
    """The public page: anyone, logged in or not."""
    project = get_object_or_404(Project.objects.select_related("programme"), acronym=acronym)
    return render(
        request,
        "projects/project_public.html",
        {
            "project": project,
            "partners": partner_list(project=project),
            "deliverables": public_deliverables(project=project),
        },
    )


@login_required
def deliverable_register(request):
    if not (can(request.user, MANAGE_PROJECTS) or can(request.user, READ_ALL)):
        raise PermissionDenied
    filterset = DeliverableFilterSet(request.GET or None, queryset=deliverable_list(user=request.user))
    page = Paginator(deliverable_table(filterset.qs), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/deliverable_register.html",
        {"filterset": filterset, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
@require_POST
def feed_create(request, acronym):
    project, _rights = load(request, acronym)
    calendar_feed_create(actor=request.user, project=project)
    messages.success(
        request, _("A private calendar address was created: copy it into Outlook or Thunderbird.")
    )
    return redirect(reverse("projects:project_detail", args=[acronym]) + "#calendar")


@login_required
@require_POST
def feed_revoke(request, acronym, pk):
    project, _rights = load(request, acronym)
    feed = get_object_or_404(CalendarFeed, pk=pk, project=project, user=request.user)
    calendar_feed_revoke(actor=request.user, feed=feed)
    messages.success(request, _("The calendar address was revoked: it no longer answers."))
    return redirect(reverse("projects:project_detail", args=[acronym]) + "#calendar")


def feed_ics(request, token):
    """The iCalendar feed: no login (calendar programs cannot log in); the token is the secret. A revoked
    token, or one whose user lost access to the project, answers 404."""
    feed = (
        CalendarFeed.objects.select_related("project", "user")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        raise Http404
    body = calendar_ics(feed=feed)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{feed.project.acronym}.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


def _xlsx(data: bytes, name: str) -> HttpResponse:
    from projects.services.workbook import CONTENT_TYPE

    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def workbook_template(request):
    from projects.services.workbook import workbook_export

    if not (can(request.user, MANAGE_PROJECTS) or can(request.user, READ_ALL)):
        raise PermissionDenied
    return _xlsx(workbook_export(user=request.user), "piano-di-lavoro-modello.xlsx")


@login_required
def workbook_download(request, acronym):
    from projects.services.workbook import workbook_export

    project, _rights = load(request, acronym)
    return _xlsx(
        workbook_export(user=request.user, project=project), f"piano-di-lavoro-{project.acronym}.xlsx"
    )


@login_required
def workbook_upload(request, acronym):
    """Import a work plan into an empty project (the coordinator's project manager)."""
    from django.core.exceptions import ValidationError

    from projects.forms import WorkbookForm
    from projects.services.workbook import WorkbookError, workbook_import

    project, rights = load(request, acronym)
    if not rights.edits_work_plan:
        raise PermissionDenied
    form = WorkbookForm(request.POST or None, request.FILES or None)
    cell_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            workbook_import(actor=request.user, project=project, data=form.cleaned_data["file"].read())
        except WorkbookError as exc:
            cell_errors = exc.cell_errors
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            messages.success(request, _("The work plan was imported."))
            return redirect("projects:project_detail", acronym=acronym)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "projects/workbook_import.html",
        {"project": project, "form": form, "cell_errors": cell_errors},
        status=status,
    )
