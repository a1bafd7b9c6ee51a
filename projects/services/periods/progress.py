"""Each work package's progress in the period, the period's late items (deliverables and milestones) and
their justifications."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import User
from projects.choices import OPEN_DELIVERABLE_STATUSES, Achievement
from projects.models import (
    Deliverable,
    LateJustification,
    Milestone,
    PeriodicReport,
    WorkPackage,
    WorkPackageProgress,
)
from projects.services.common import (
    ERROR_NOT_OF_PROJECT,
    access,
    audit,
)
from projects.services.periods.common import (
    ERROR_NOT_LATE,
    ERROR_TEXT_REQUIRED,
    ERROR_WP_NOT_IN_PERIOD,
    _lock_report,
    _require_coordinator,
    _require_draft,
)


def wp_progress_set(
    *, actor: User | None, report: PeriodicReport, work_package: WorkPackage, achievement: str, text: str
) -> WorkPackageProgress:
    _require_coordinator(actor, report)
    period = report.period
    if work_package.project_id != period.project_id:
        raise ValidationError({"work_package": ERROR_NOT_OF_PROJECT})
    if work_package.start_month > period.end_month or work_package.end_month < period.start_month:
        raise ValidationError(
            {
                "work_package": ValidationError(
                    ERROR_WP_NOT_IN_PERIOD,
                    params={
                        "wp": work_package.code,
                        "period": period.code,
                        "start": period.start_month,
                        "end": period.end_month,
                    },
                )
            }
        )
    if achievement not in Achievement.values:
        raise ValidationError(
            {"achievement": ValidationError(_("Choose one of the listed values."), code="invalid")}
        )
    if not (text or "").strip():
        raise ValidationError({"text": ValidationError(ERROR_TEXT_REQUIRED, code="required")})
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        progress, _created = WorkPackageProgress.objects.update_or_create(
            report=locked,
            work_package=work_package,
            defaults={"achievement": achievement, "text": text.strip()},
        )
        audit(
            action="projects.progress.set",
            actor=actor,
            target=progress,
            project=period.project,
            after={"period": period.code, "work_package": work_package.code, "achievement": achievement},
        )
    return progress


@dataclass(frozen=True)
class LateItem:
    code: str
    title: str
    due_date: datetime.date
    deliverable: Deliverable | None = None
    milestone: Milestone | None = None
    justification: str = ""

    @property
    def justified(self) -> bool:
        return bool(self.justification)


def late_items(report: PeriodicReport, *, today: datetime.date | None = None) -> list[LateItem]:
    """Deliverables and milestones due within the period that are late: still open after their due
    date, or delivered (achieved) after it."""
    today = today or timezone.localdate()
    period = report.period
    start, end = period.start_date, period.end_date
    texts = {
        (j.deliverable_id, j.milestone_id): j.text for j in LateJustification.objects.filter(report=report)
    }
    items = []
    deliverables = (
        Deliverable.objects.filter(project_id=period.project_id, due_date__gte=start, due_date__lte=end)
        .filter(
            Q(status__in=OPEN_DELIVERABLE_STATUSES, due_date__lt=today)
            | Q(submitted_on__isnull=False, submitted_on__gt=models_f("due_date"))
        )
        .select_related("work_package")
        .order_by("work_package__number", "number")
    )
    for d in deliverables:
        items.append(
            LateItem(d.code, d.title, d.due_date, deliverable=d, justification=texts.get((d.pk, None), ""))
        )
    for m in (
        Milestone.objects.filter(
            project_id=period.project_id, due_month__gte=period.start_month, due_month__lte=period.end_month
        )
        .select_related("project")
        .order_by("number")
    ):
        due = m.due_date
        if (m.achieved_on is None and due < today) or (m.achieved_on is not None and m.achieved_on > due):
            items.append(
                LateItem(m.code, m.title, due, milestone=m, justification=texts.get((None, m.pk), ""))
            )
    return items


def models_f(name: str):
    from django.db.models import F

    return F(name)


def late_justification_set(
    *,
    actor: User | None,
    report: PeriodicReport,
    text: str,
    deliverable: Deliverable | None = None,
    milestone: Milestone | None = None,
) -> LateJustification:
    """Why a late item of the period is late: the coordinator's manager, or the lead partner's for a
    deliverable it leads."""
    project = report.period.project
    rights = access(actor, project)
    if not (
        rights.edits_work_plan or (deliverable is not None and rights.edits_partner(deliverable.lead_id))
    ):
        raise PermissionDenied
    if not (text or "").strip():
        raise ValidationError({"text": ValidationError(ERROR_TEXT_REQUIRED, code="required")})
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        late = {
            (i.deliverable.pk if i.deliverable else None, i.milestone.pk if i.milestone else None)
            for i in late_items(locked)
        }
        key = (deliverable.pk if deliverable else None, milestone.pk if milestone else None)
        if key not in late:
            raise ValidationError(
                {
                    "deliverable" if deliverable else "milestone": ValidationError(
                        ERROR_NOT_LATE, code="not_late"
                    )
                }
            )
        justification, _created = LateJustification.objects.update_or_create(
            report=locked, deliverable=deliverable, milestone=milestone, defaults={"text": text.strip()}
        )
        audit(
            action="projects.late.justified",
            actor=actor,
            target=justification,
            project=project,
            after={
                "period": locked.period.code,
                "item": (deliverable or milestone).code,
                "text": text.strip(),
            },
        )
    return justification
