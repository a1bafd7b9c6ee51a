"""Reporting periods as planned: their months changed, or the period deleted, only while its report is a
draft and, for a deletion, while nothing is recorded in it (expenditure lines, actual effort, progress,
late justifications, the planned budget), each refusal naming why."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.models import User
from projects.choices import ReportStatus
from projects.models import PeriodicReport, Project, ReportingPeriod
from projects.services.common import audit, check_months, require_work_plan

ERROR_PERIOD_OVERLAP = _("The period overlaps %(period)s (months %(start)s-%(end)s).")
ERROR_PERIOD_REPORT_PAST_DRAFT = _(
    "The report of %(period)s is “%(status)s”: the period can change or be deleted only while its report "
    "is a draft."
)
ERROR_PERIOD_IN_USE = _("%(period)s cannot be deleted: it holds %(items)s.")
ERROR_PERIOD_INVOICES_LATER = _(
    "%(period)s cannot end in month %(month)s: invoices dated after that month are declared in it "
    "(%(invoices)s)."
)
PERIOD_FIELDS = ("number", "start_month", "end_month")


def check_overlap(project: Project, *, start_month: int, end_month: int, period=None) -> None:
    """No two periods of a project share a month: refused on the start month, naming the other."""
    others = ReportingPeriod.objects.filter(project=project).filter(
        Q(start_month__lte=end_month) & Q(end_month__gte=start_month)
    )
    if period is not None:
        others = others.exclude(pk=period.pk)
    overlapping = others.first()
    if overlapping is not None:
        raise ValidationError(
            {
                "start_month": ValidationError(
                    ERROR_PERIOD_OVERLAP,
                    code="overlap",
                    params={
                        "period": overlapping.code,
                        "start": overlapping.start_month,
                        "end": overlapping.end_month,
                    },
                )
            }
        )


def _lock_period(period: ReportingPeriod) -> tuple[Project, ReportingPeriod, PeriodicReport | None]:
    project = Project.objects.select_for_update().get(pk=period.project_id)
    locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    report = PeriodicReport.objects.select_for_update().filter(period=locked).first()
    if report is not None and report.status != ReportStatus.DRAFT:
        raise ValidationError(
            ERROR_PERIOD_REPORT_PAST_DRAFT,
            code="report_not_draft",
            params={"period": locked.code, "status": ReportStatus(report.status).label},
        )
    return project, locked, report


def _snapshot(period: ReportingPeriod) -> dict:
    return {name: getattr(period, name) for name in PERIOD_FIELDS}


def period_update(
    *,
    actor: User | None,
    period: ReportingPeriod,
    start_month: int | None = None,
    end_month: int | None = None,
) -> ReportingPeriod:
    """New months for a period whose report is a draft: within the project, overlapping no other, and
    not ending before the invoices already declared in it."""
    require_work_plan(actor, period.project)
    with transaction.atomic():
        project, locked, report = _lock_period(period)
        before = _snapshot(locked)
        locked.start_month = locked.start_month if start_month is None else start_month
        locked.end_month = locked.end_month if end_month is None else end_month
        check_months(project, start=locked.start_month, end=locked.end_month)
        check_overlap(project, start_month=locked.start_month, end_month=locked.end_month, period=locked)
        if report is not None:
            later = report.expenditure_lines.filter(invoice_date__gt=project.month_end(locked.end_month))
            invoices = list(later.order_by("invoice_date").values_list("invoice_number", flat=True)[:5])
            if invoices:
                raise ValidationError(
                    {
                        "end_month": ValidationError(
                            ERROR_PERIOD_INVOICES_LATER,
                            code="invoices_later",
                            params={
                                "period": locked.code,
                                "month": locked.end_month,
                                "invoices": ", ".join(invoices),
                            },
                        )
                    }
                )
        locked.full_clean(exclude=["project"])
        locked.save()
        audit(
            action="projects.period.updated",
            actor=actor,
            target=locked,
            project=project,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def _held(period: ReportingPeriod, report: PeriodicReport | None) -> list[str]:
    counts = [(period.budget_lines.count(), "budget")]
    if report is not None:
        counts += [
            (report.expenditure_lines.count(), "lines"),
            (report.actual_efforts.count(), "effort"),
            (report.progress.count(), "progress"),
            (report.justifications.count(), "justifications"),
        ]
    words = {
        "budget": lambda n: ngettext(
            "%(count)s amount of the planned budget", "%(count)s amounts of the planned budget", n
        ),
        "lines": lambda n: ngettext("%(count)s expenditure line", "%(count)s expenditure lines", n),
        "effort": lambda n: ngettext(
            "%(count)s declaration of actual effort", "%(count)s declarations of actual effort", n
        ),
        "progress": lambda n: ngettext(
            "the progress of %(count)s work package", "the progress of %(count)s work packages", n
        ),
        "justifications": lambda n: ngettext(
            "%(count)s late justification", "%(count)s late justifications", n
        ),
    }
    return [words[kind](n) % {"count": n} for n, kind in counts if n]


def period_delete(*, actor: User | None, period: ReportingPeriod) -> None:
    """Delete a period and its (empty, draft) report; refused while its report is past draft or while
    anything is recorded in it, naming what."""
    require_work_plan(actor, period.project)
    with transaction.atomic():
        project, locked, report = _lock_period(period)
        held = _held(locked, report)
        if held:
            raise ValidationError(
                ERROR_PERIOD_IN_USE, code="in_use", params={"period": locked.code, "items": ", ".join(held)}
            )
        audit(
            action="projects.period.deleted",
            actor=actor,
            target=locked,
            project=project,
            before=_snapshot(locked),
        )
        if report is not None:
            report.delete()
        locked.delete()
