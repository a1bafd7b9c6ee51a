"""The beneficiary's side: open a report on a grant, add invoice lines and files, submit."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.it import iva

from funding.choices import (
    ApplicationStatus,
    CommitmentStatus,
    DocumentStage,
    ExpenseReportStatus,
)
from funding.models import (
    Application,
    Commitment,
    Document,
    ExpenseLine,
    ExpenseReport,
    RequiredDocument,
)
from funding.services.documents import document_upload, line_document_upload
from funding.services.expenses.common import (
    EDITABLE_STATUSES,
    ERROR_COMMITMENT_CANCELLED,
    ERROR_COMMITMENT_CLOSED,
    ERROR_COMMITMENT_OF_APPLICATION,
    ERROR_INVOICE_DUPLICATE,
    ERROR_INVOICE_FUTURE,
    ERROR_MISSING_DOCUMENTS,
    ERROR_NO_COMMITMENT,
    ERROR_NOT_GRANTED,
    ERROR_OPEN_REPORT,
    ERROR_REPORT_EMPTY,
    ERROR_REPORT_NOT_EDITABLE,
    ERROR_TOTAL_MISMATCH,
    LINE_FIELDS,
    OPEN_REPORT_STATUSES,
    _field_error,
    _locked_report,
    _require_beneficiary,
    _status_label,
)
from funding.services.workflow import application_transition
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.formatting import format_money
from portal.models import User
from portal.money import clean_amount
from portal.validators import validate_vat_number


# --- Creating and filling a report -----------------------------------------------------------------
def expense_report_create(
    *,
    actor: User | None,
    application: Application | None = None,
    commitment: Commitment | None = None,
    is_final: bool = True,
    notes: str = "",
) -> ExpenseReport:
    """Open a report on a granted application, or on a commitment that has no application."""
    if application is not None:
        application = Application.objects.select_related("commitment").get(pk=application.pk)
        _require_beneficiary(actor, application.applicant_id)
        reportable = (ApplicationStatus.GRANTED, ApplicationStatus.LIQUIDATED, ApplicationStatus.VERIFIED)
        if application.status not in reportable:
            raise _field_error(
                "application",
                ERROR_NOT_GRANTED,
                code="not_granted",
                status=ApplicationStatus(application.status).label,
            )
        if application.commitment is None:
            raise _field_error("application", ERROR_NO_COMMITMENT, code="no_commitment")
        commitment = application.commitment
    elif commitment is not None:
        commitment = Commitment.objects.get(pk=commitment.pk)
        _require_beneficiary(actor, commitment.beneficiary_id)
        if Application.objects.filter(commitment=commitment).exists():
            raise _field_error("commitment", ERROR_COMMITMENT_OF_APPLICATION, code="has_application")
    else:
        raise _field_error("commitment", ERROR_NO_COMMITMENT, code="no_commitment")
    field = "application" if application is not None else "commitment"
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.status == CommitmentStatus.CANCELLED:
            raise _field_error(field, ERROR_COMMITMENT_CANCELLED, code="cancelled")
        if locked.to_liquidate <= 0:
            raise _field_error(field, ERROR_COMMITMENT_CLOSED, code="closed")
        open_report = locked.expense_reports.filter(status__in=OPEN_REPORT_STATUSES).first()
        if open_report is not None:
            raise _field_error(field, ERROR_OPEN_REPORT, code="open_report", report=open_report.pk)
        report = ExpenseReport.objects.create(
            application=application, commitment=locked, is_final=is_final, notes=notes
        )
        audit_record_many(
            [
                AuditEntry(
                    action="expense.report.created",
                    actor=actor,
                    organisation=locked.beneficiary,
                    target=report,
                    after=snapshot(report, ("application", "commitment", "is_final")),
                )
            ]
        )
    return report


def expense_line_add(
    *,
    actor: User | None,
    report: ExpenseReport,
    supplier_name: str,
    supplier_vat_number: str,
    invoice_number: str,
    invoice_date: datetime.date,
    description: str,
    net_amount,
    vat_amount,
    total_amount,
) -> ExpenseLine:
    """Add an invoice: partita IVA with its check digit, total = net + VAT, not reported twice.
    Every field's problem is reported at once."""
    _require_beneficiary(actor, report.commitment.beneficiary_id)
    errors: dict[str, list] = {}

    def check(field: str, clean):
        try:
            return clean()
        except ValidationError as exc:
            errors.setdefault(field, []).extend(
                exc.error_dict.get(field, []) if hasattr(exc, "error_dict") else [exc]
            )
            return None

    vat_number = iva.compact(supplier_vat_number or "")
    check("supplier_vat_number", lambda: validate_vat_number(vat_number))
    net = check("net_amount", lambda: clean_amount(net_amount, field="net_amount"))
    vat = check("vat_amount", lambda: clean_amount(vat_amount, field="vat_amount", allow_zero=True))
    total = check("total_amount", lambda: clean_amount(total_amount, field="total_amount"))
    if None not in (net, vat, total) and total != net + vat:
        errors.setdefault("total_amount", []).append(
            ValidationError(
                ERROR_TOTAL_MISMATCH,
                code="total_mismatch",
                params={"total": format_money(total), "expected": format_money(net + vat)},
            )
        )
    if invoice_date is not None and invoice_date > timezone.localdate():
        errors.setdefault("invoice_date", []).append(ValidationError(ERROR_INVOICE_FUTURE, code="future"))
    line = ExpenseLine(
        report=report,
        supplier_name=(supplier_name or "").strip(),
        supplier_vat_number=vat_number,
        invoice_number=(invoice_number or "").strip(),
        invoice_date=invoice_date,
        description=(description or "").strip(),
        net_amount=net,
        vat_amount=vat,
        total_amount=total,
    )
    try:
        line.full_clean(exclude=["report", *errors], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_report(report)
        if locked.status not in EDITABLE_STATUSES:
            raise _field_error(
                "report", ERROR_REPORT_NOT_EDITABLE, code="not_editable", status=_status_label(locked)
            )
        duplicate = ExpenseLine.objects.filter(
            report__commitment_id=locked.commitment_id,
            supplier_vat_number=vat_number,
            invoice_number=line.invoice_number,
        )
        if duplicate.exists():
            raise _field_error(
                "invoice_number", ERROR_INVOICE_DUPLICATE, code="duplicate", number=line.invoice_number
            )
        line.report = locked
        try:
            with transaction.atomic():
                line.save()
        except IntegrityError as exc:  # the unique constraint is the backstop of the check above
            raise _field_error(
                "invoice_number", ERROR_INVOICE_DUPLICATE, code="duplicate", number=line.invoice_number
            ) from exc
        audit_record_many(
            [
                AuditEntry(
                    action="expense.line.added",
                    actor=actor,
                    organisation=report.commitment.beneficiary,
                    target=locked,
                    after={"line": line.pk, **snapshot(line, LINE_FIELDS)},
                )
            ]
        )
    return line


def expense_line_remove(*, actor: User | None, line: ExpenseLine) -> None:
    report = line.report
    _require_beneficiary(actor, report.commitment.beneficiary_id)
    with transaction.atomic():
        locked = _locked_report(report)
        if locked.status not in EDITABLE_STATUSES:
            raise _field_error(
                "report", ERROR_REPORT_NOT_EDITABLE, code="not_editable", status=_status_label(locked)
            )
        before = {"line": line.pk, **snapshot(line, LINE_FIELDS)}
        Document.objects.filter(expense_line=line).update(expense_line=None, is_current=False)
        line.delete()
        audit_record_many(
            [
                AuditEntry(
                    action="expense.line.removed",
                    actor=actor,
                    organisation=report.commitment.beneficiary,
                    target=locked,
                    before=before,
                )
            ]
        )


def expense_document_attach(
    *,
    actor: User | None,
    line: ExpenseLine,
    uploaded_file,
    required_document: RequiredDocument | None = None,
) -> Document:
    """Attach a file (the invoice, proof of payment...) to a line through the documents service,
    which owns file validation (type, size, content) and storage."""
    report = line.report
    _require_beneficiary(actor, report.commitment.beneficiary_id)
    if report.status not in EDITABLE_STATUSES:
        raise _field_error(
            "report", ERROR_REPORT_NOT_EDITABLE, code="not_editable", status=_status_label(report)
        )
    if report.application_id is None:  # e.g. a comune's share of a population split
        return line_document_upload(actor=actor, expense_line=line, uploaded_file=uploaded_file)
    return document_upload(
        actor=actor,
        application=report.application,
        required_document=required_document,
        expense_line=line,
        uploaded_file=uploaded_file,
    )


def _missing_documents(report: ExpenseReport) -> list[str]:
    """Mandatory documents of the report stage that the application has not uploaded."""
    if report.application_id is None:
        return []
    required = RequiredDocument.objects.filter(
        call_id=report.application.call_id, stage=DocumentStage.REPORT, mandatory=True
    )
    present = set(
        Document.objects.filter(
            application_id=report.application_id, is_current=True, required_document__in=required
        ).values_list("required_document_id", flat=True)
    )
    return [str(r.name) for r in required if r.pk not in present]


def expense_report_submit(*, actor: User | None, report: ExpenseReport) -> ExpenseReport:
    """The beneficiary sends the report: the application moves to "reporting"."""
    _require_beneficiary(actor, report.commitment.beneficiary_id)
    with transaction.atomic():
        application = None
        if report.application_id is not None:
            application = Application.objects.select_for_update().get(pk=report.application_id)
        locked = _locked_report(report)
        if locked.status not in EDITABLE_STATUSES:
            raise _field_error(
                "report", ERROR_REPORT_NOT_EDITABLE, code="not_editable", status=_status_label(locked)
            )
        commitment = Commitment.objects.get(pk=locked.commitment_id)
        if commitment.status == CommitmentStatus.CANCELLED or commitment.to_liquidate <= 0:
            raise _field_error("report", ERROR_COMMITMENT_CLOSED, code="closed")
        if not locked.lines.exists():
            raise _field_error("lines", ERROR_REPORT_EMPTY, code="empty")
        missing = _missing_documents(locked)
        if missing:
            raise _field_error("documents", ERROR_MISSING_DOCUMENTS, code="missing", names=", ".join(missing))
        before = locked.status
        locked.status = ExpenseReportStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        if application is not None and application.status != ApplicationStatus.REPORTING:
            application_transition(
                actor=actor,
                application=application,
                to_status=ApplicationStatus.REPORTING,
                extra={"expense_report": locked.pk},
            )
        audit_record_many(
            [
                AuditEntry(
                    action="expense.report.submitted",
                    actor=actor,
                    organisation=locked.commitment.beneficiary,
                    target=locked,
                    before={"status": before},
                    after={"status": locked.status, "lines": locked.lines.count()},
                )
            ]
        )
    report.status, report.submitted_at = locked.status, locked.submitted_at
    return locked
