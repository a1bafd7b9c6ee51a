"""The periodic report of a period: costs and effort per partner, planned vs actual, WP progress, late
items and their justifications, and the status actions; each form calls projects.services.periods."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.constants import ZERO
from portal.service_errors import apply_errors
from projects.choices import ReportStatus
from projects.forms import EffortForm, ExpenditureLineForm, JustificationForm, ProgressForm, ReasonForm
from projects.models import CostCategory, ExpenditureLine, Partner, ReportingPeriod
from projects.selectors import budget_status
from projects.services import periods as services
from projects.views.common import load


def _editable_partners(project, rights):
    partners = Partner.objects.filter(project=project).select_related("organisation").order_by("number")
    return partners if rights.edits_work_plan else partners.filter(pk__in=rights.partner_ids)


def _late_choices(items):
    return [
        (f"d{i.deliverable.pk}" if i.deliverable else f"m{i.milestone.pk}", f"{i.code} {i.title}")
        for i in items
    ]


@login_required
def report_detail(request, acronym, number):
    project, rights = load(request, acronym)
    period = get_object_or_404(
        ReportingPeriod.objects.select_related("report"), project=project, number=number
    )
    report = period.report
    draft = report.status == ReportStatus.DRAFT
    partners = _editable_partners(project, rights)
    wps = project.work_packages.filter(
        start_month__lte=period.end_month, end_month__gte=period.start_month
    ).order_by("number")
    categories = CostCategory.objects.filter(programme=project.programme).order_by("order")
    items = services.late_items(report)
    forms = {}
    if draft and partners:
        forms["line"] = ExpenditureLineForm(partners=partners, categories=categories)
        forms["effort"] = EffortForm(partners=partners, work_packages=wps)
    if draft and rights.edits_work_plan:
        forms["progress"] = ProgressForm(work_packages=wps)
    if draft and items and (rights.edits_work_plan or rights.partner_ids):
        forms["justify"] = JustificationForm(items=_late_choices(items))
    actions = []
    if rights.edits_work_plan and report.status == ReportStatus.DRAFT:
        actions.append(("lock", _("Lock for review")))
    if rights.edits_work_plan and report.status == ReportStatus.LOCKED:
        actions += [("submit", _("Submit")), ("reopen", _("Reopen"))]
    if rights.accepts and report.status == ReportStatus.SUBMITTED:
        actions += [("accept", _("Accept")), ("reopen", _("Reopen"))]
    if any(a == "reopen" for a, _label in actions):
        forms["reopen"] = ReasonForm()

    if request.method == "POST":
        which = request.POST.get("action", "")
        try:
            if which in ("lock", "submit", "accept"):
                if which not in dict(actions):
                    raise PermissionDenied
                getattr(services, f"report_{which}")(actor=request.user, report=report)
                messages.success(request, _("The report's status changed."))
                return redirect("projects:report_detail", acronym=acronym, number=number)
            if which == "remove_line":
                line = get_object_or_404(ExpenditureLine, pk=request.POST.get("line"), report=report)
                services.expenditure_line_remove(actor=request.user, line=line)
                messages.success(request, _("The expenditure line was removed."))
                return redirect("projects:report_detail", acronym=acronym, number=number)
            if which not in forms:
                raise PermissionDenied
            form_class = type(forms[which])
            kwargs = {
                "line": {"partners": partners, "categories": categories},
                "effort": {"partners": partners, "work_packages": wps},
                "progress": {"work_packages": wps},
                "justify": {"items": _late_choices(items)},
                "reopen": {},
            }[which]
            form = form_class(request.POST, **kwargs)
            forms[which] = form
            if form.is_valid():
                _perform(which, request.user, report, form, items)
                messages.success(request, _("Saved."))
                return redirect("projects:report_detail", acronym=acronym, number=number)
        except ValidationError as exc:
            target = forms.get(which)
            if target is not None and hasattr(target, "cleaned_data"):
                apply_errors(target, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)

    rows = budget_status(project=project, period=period)
    lines = report.expenditure_lines.select_related("partner", "category").order_by(
        "partner__number", "invoice_date", "pk"
    )
    efforts = report.actual_efforts.select_related("partner", "work_package").order_by(
        "work_package__number", "partner__number"
    )
    return render(
        request,
        "projects/report_detail.html",
        {
            "project": project,
            "rights": rights,
            "period": period,
            "report": report,
            "lines": lines,
            "efforts": efforts,
            "progress": report.progress.select_related("work_package").order_by("work_package__number"),
            "late_items": items,
            "budget_rows": rows,
            "planned_total": sum((r.planned_total for r in rows), ZERO),
            "actual_total": sum((r.actual_total for r in rows), ZERO),
            "forms": forms,
            "actions": actions,
            "editable_partner_ids": {p.pk for p in partners} if draft else set(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _perform(which, user, report, form, items):
    data = form.cleaned_data
    if which == "line":
        return services.expenditure_line_add(actor=user, report=report, **form.service_kwargs())
    if which == "effort":
        return services.actual_effort_set(actor=user, report=report, **data)
    if which == "progress":
        return services.wp_progress_set(actor=user, report=report, **data)
    if which == "justify":
        key = data["item"]
        item = next(
            i for i in items if (f"d{i.deliverable.pk}" if i.deliverable else f"m{i.milestone.pk}") == key
        )
        return services.late_justification_set(
            actor=user,
            report=report,
            text=data["text"],
            deliverable=item.deliverable,
            milestone=item.milestone,
        )
    if which == "reopen":
        return services.report_reopen(actor=user, report=report, reason=data["reason"])
    raise PermissionDenied
