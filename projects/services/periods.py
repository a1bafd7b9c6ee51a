"""The periodic report of a reporting period: each partner's actual costs (expenditure lines) and
effort, each work package's progress, a justification for every late item of the period, and the
status flow draft → locked for review → submitted → accepted (or reopened, with a reason).

Partners' project managers write their own partner's costs and effort while the report is a draft;
the coordinator's project manager writes progress and justifications, locks and submits; an official
accepts or reopens a submitted report. Due 60 days after the period ends.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import iva

from funding.services.money import clean_amount
from portal.audit import snapshot
from portal.models import User
from projects.choices import OPEN_DELIVERABLE_STATUSES, Achievement, CostKind, ReportStatus
from projects.models import (
    ActualEffort,
    CostCategory,
    Deliverable,
    ExpenditureLine,
    LateJustification,
    Milestone,
    Partner,
    PeriodicReport,
    WorkPackage,
    WorkPackageProgress,
)
from projects.services.common import (
    ERROR_NOT_OF_PROGRAMME,
    ERROR_NOT_OF_PROJECT,
    access,
    audit,
    clean_decimal,
    clean_person_months,
)

ERROR_REPORT_NOT_DRAFT = _(
    "The report of %(period)s is “%(status)s”: it can change only while it is a draft."
)
ERROR_REPORT_STATUS = _("A report that is “%(status)s” cannot be %(action)s.")
ERROR_LATE_UNJUSTIFIED = _("Justify every late item of the period before locking the report: %(items)s.")
ERROR_INVOICE_DATE = _(
    "The invoice date must fall between the project's start (%(start)s) and the period's end (%(end)s)."
)
ERROR_VAT_ID = _(
    "Enter the supplier's partita IVA (11 digits) or, for a foreign supplier, the EU VAT id with its "
    "country prefix (e.g. FR40303265045)."
)
ERROR_VAT_REQUIRED = _("The supplier's partita IVA or VAT id is required for this category.")
ERROR_NOT_LATE = _("This item is not late in this period: it needs no justification.")
ERROR_TEXT_REQUIRED = _("Write the text: it is required.")
ERROR_WP_NOT_IN_PERIOD = _("%(wp)s does not run during %(period)s (months %(start)s-%(end)s).")

ACTIONS = {
    "lock": _("locked"),
    "submit": _("submitted"),
    "accept": _("accepted"),
    "reopen": _("reopened"),
}
LINE_FIELDS = (
    "partner",
    "category",
    "invoice_number",
    "invoice_date",
    "supplier_name",
    "supplier_vat_id",
    "amount",
    "vat",
    "description",
    "equipment_description",
)
# Categories whose lines have no supplier invoice (time sheets, flat rates).
NO_SUPPLIER_KINDS = frozenset({CostKind.PERSONNEL, CostKind.INDIRECT, CostKind.OFFICE})


def _lock_report(report: PeriodicReport) -> PeriodicReport:
    return (
        PeriodicReport.objects.select_for_update(of=("self",))
        .select_related("period__project__programme")
        .get(pk=report.pk)
    )


def _require_draft(report: PeriodicReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(
            ERROR_REPORT_NOT_DRAFT,
            code="report_not_draft",
            params={"period": report.period.code, "status": ReportStatus(report.status).label},
        )


def _require_partner(actor, report: PeriodicReport, partner: Partner) -> None:
    if partner.project_id != report.period.project_id:
        raise ValidationError({"partner": ERROR_NOT_OF_PROJECT})
    if not access(actor, report.period.project).edits_partner(partner.pk):
        raise PermissionDenied


def _require_coordinator(actor, report: PeriodicReport) -> None:
    if not access(actor, report.period.project).edits_work_plan:
        raise PermissionDenied


def normalise_vat_id(value: str) -> str:
    """A partita IVA (11 digits, check digit) or an EU VAT id with its country prefix; '' stays ''."""
    compact = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if not compact:
        return ""
    try:
        if compact.isdigit():
            return iva.validate(compact)
        if compact.startswith("IT"):
            return iva.validate(compact[2:])
        return eu_vat.validate(compact)
    except StdnumError as exc:
        raise ValidationError({"supplier_vat_id": ValidationError(ERROR_VAT_ID, code="invalid_vat")}) from exc


# --- Expenditure lines ----------------------------------------------------------------------------
def expenditure_line_add(
    *,
    actor: User | None,
    report: PeriodicReport,
    partner: Partner,
    category: CostCategory,
    invoice_number: str,
    invoice_date: datetime.date,
    supplier_name: str,
    amount,
    supplier_vat_id: str = "",
    vat="0",
    description: str = "",
    equipment_description: str = "",
) -> ExpenditureLine:
    _require_partner(actor, report, partner)
    project = report.period.project
    if category.programme_id != project.programme_id:
        raise ValidationError(
            {
                "category": ValidationError(
                    ERROR_NOT_OF_PROGRAMME, params={"programme": project.programme.name}
                )
            }
        )
    amount = clean_amount(amount)
    vat = clean_decimal(vat, field="vat")
    vat_id = normalise_vat_id(supplier_vat_id)
    if not vat_id and category.kind not in NO_SUPPLIER_KINDS:
        raise ValidationError({"supplier_vat_id": ValidationError(ERROR_VAT_REQUIRED, code="required")})
    period = report.period
    if not project.start_date <= invoice_date <= period.end_date:
        raise ValidationError(
            {
                "invoice_date": ValidationError(
                    ERROR_INVOICE_DATE,
                    code="invoice_date",
                    params={
                        "start": project.start_date.strftime("%d/%m/%Y"),
                        "end": period.end_date.strftime("%d/%m/%Y"),
                    },
                )
            }
        )
    line = ExpenditureLine(
        report=report,
        partner=partner,
        category=category,
        invoice_number=(invoice_number or "").strip(),
        invoice_date=invoice_date,
        supplier_name=(supplier_name or "").strip(),
        supplier_vat_id=vat_id,
        amount=amount,
        vat=vat,
        description=description,
        equipment_description=equipment_description if category.kind == CostKind.EQUIPMENT else "",
        created_by=actor,
    )
    line.full_clean(exclude=["report", "partner", "category", "created_by"])
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        try:
            with transaction.atomic():
                line.save()
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "invoice_number": _(
                        "This invoice of this supplier is already declared by the partner in this category."
                    )
                }
            ) from exc
        audit(
            action="projects.expenditure.added",
            actor=actor,
            target=line,
            project=project,
            organisation=partner.organisation,
            after={**snapshot(line, LINE_FIELDS), "period": period.code},
        )
    return line


def expenditure_line_remove(*, actor: User | None, line: ExpenditureLine) -> None:
    report = line.report
    _require_partner(actor, report, line.partner)
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        audit(
            action="projects.expenditure.removed",
            actor=actor,
            target=line,
            project=locked.period.project,
            organisation=line.partner.organisation,
            before=snapshot(line, LINE_FIELDS),
        )
        line.delete()


# --- Effort, progress, justifications -------------------------------------------------------------
def actual_effort_set(
    *, actor: User | None, report: PeriodicReport, partner: Partner, work_package: WorkPackage, person_months
) -> ActualEffort:
    _require_partner(actor, report, partner)
    if work_package.project_id != report.period.project_id:
        raise ValidationError({"work_package": ERROR_NOT_OF_PROJECT})
    value = clean_person_months(person_months)
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        effort, created = ActualEffort.objects.get_or_create(
            report=locked, partner=partner, work_package=work_package, defaults={"person_months": value}
        )
        before = None if created else {"person_months": str(effort.person_months)}
        if not created:
            effort.person_months = value
            effort.save(update_fields=["person_months"])
        audit(
            action="projects.effort.actual",
            actor=actor,
            target=effort,
            project=locked.period.project,
            before=before,
            after={
                "period": locked.period.code,
                "work_package": work_package.code,
                "partner": partner.short_name,
                "person_months": str(value),
            },
        )
    return effort


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
