"""The periodic report's status flow: draft -> locked for review (every late item justified) -> submitted
-> accepted, or reopened with a reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal.models import User
from projects.choices import ReportStatus
from projects.models import (
    PeriodicReport,
)
from projects.services.common import (
    access,
    audit,
)
from projects.services.periods.common import (
    ACTIONS,
    ERROR_LATE_UNJUSTIFIED,
    ERROR_REPORT_STATUS,
    ERROR_TEXT_REQUIRED,
    _lock_report,
    _require_coordinator,
)
from projects.services.periods.progress import late_items


# --- Status flow ----------------------------------------------------------------------------------
def _transition(
    report: PeriodicReport,
    *,
    actor,
    to: str,
    allowed_from: set[str],
    action: str,
    fields: dict,
    reason: str = "",
):
    if report.status not in allowed_from:
        raise ValidationError(
            ERROR_REPORT_STATUS,
            code="invalid_transition",
            params={"status": ReportStatus(report.status).label, "action": ACTIONS[action]},
        )
    before = report.status
    report.status = to
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", "updated_at", *fields])
    audit(
        action=f"projects.report.{action}",
        actor=actor,
        target=report,
        project=report.period.project,
        before={"status": before},
        after={"status": to, "period": report.period.code, "reason": reason, **fields},
    )
    return report


def report_lock(*, actor: User | None, report: PeriodicReport) -> PeriodicReport:
    """Draft → locked for review, once every late item of the period is justified."""
    _require_coordinator(actor, report)
    with transaction.atomic():
        locked = _lock_report(report)
        missing = [item.code for item in late_items(locked) if not item.justified]
        if missing and locked.status == ReportStatus.DRAFT:
            raise ValidationError(
                ERROR_LATE_UNJUSTIFIED, code="late_unjustified", params={"items": ", ".join(missing)}
            )
        return _transition(
            locked,
            actor=actor,
            to=ReportStatus.LOCKED,
            allowed_from={ReportStatus.DRAFT},
            action="lock",
            fields={"locked_on": timezone.localdate()},
        )


def report_submit(*, actor: User | None, report: PeriodicReport) -> PeriodicReport:
    _require_coordinator(actor, report)
    with transaction.atomic():
        locked = _lock_report(report)
        return _transition(
            locked,
            actor=actor,
            to=ReportStatus.SUBMITTED,
            allowed_from={ReportStatus.LOCKED},
            action="submit",
            fields={"submitted_on": timezone.localdate()},
        )


def report_accept(*, actor: User | None, report: PeriodicReport) -> PeriodicReport:
    if not access(actor, report.period.project).accepts:
        raise PermissionDenied
    with transaction.atomic():
        locked = _lock_report(report)
        return _transition(
            locked,
            actor=actor,
            to=ReportStatus.ACCEPTED,
            allowed_from={ReportStatus.SUBMITTED},
            action="accept",
            fields={"accepted_on": timezone.localdate()},
        )


def report_reopen(*, actor: User | None, report: PeriodicReport, reason: str) -> PeriodicReport:
    """Back to draft with a reason: the coordinator's manager reopens a locked report; an official a
    submitted one."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(ERROR_TEXT_REQUIRED, code="required")})
    rights = access(actor, report.period.project)
    with transaction.atomic():
        locked = _lock_report(report)
        allowed = set()
        if rights.edits_work_plan:
            allowed.add(ReportStatus.LOCKED)
        if rights.accepts:
            allowed.add(ReportStatus.SUBMITTED)
        if not allowed:
            raise PermissionDenied
        return _transition(
            locked,
            actor=actor,
            to=ReportStatus.DRAFT,
            allowed_from=allowed,
            action="reopen",
            fields={"reopen_reason": reason, "locked_on": None, "submitted_on": None},
            reason=reason,
        )
