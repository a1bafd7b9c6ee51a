"""Uploaded documents of applications and expense reports: checked by content (portal.uploads:
size, declared type, no polyglot, magic bytes, a PDF parsed without active content, images decoded),
stored through Django's storage API, recorded with their SHA-256, never deleted (a new upload makes
the previous one not current). Only when the checks pass is anything written, and a failure
afterwards removes the stored file.
"""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from funding.choices import ApplicationStatus, CommitmentStatus, DocumentStage, ExpenseReportStatus
from funding.models import (
    Application,
    Commitment,
    Document,
    ExpenseLine,
    ExpenseReport,
    RequiredDocument,
)
from funding.services.applications import require_applicant_of
from portal.audit import AuditEntry, audit_record_many
from portal.models import Organisation, User

# CheckedFile, ERROR_PDF_ACTIVE, NAME_MAX_LENGTH and sanitise_filename are re-exported: callers and tests
# of the documents import them from here.
from portal.uploads import (  # noqa: F401
    ERROR_PDF_ACTIVE,
    NAME_MAX_LENGTH,
    CheckedFile,
    check_file,
    sanitise_filename,
)
from portal.uploads import (
    upload_refused as _refuse,
)

ERROR_NO_FILE = _("Choose a file to upload.")
ERROR_WRONG_CALL = _("This document is not required by the application's call.")
ERROR_WRONG_REPORT = _("This expense line belongs to another application.")
ERROR_APPLICATION_LOCKED = _(
    "Documents of the application can be added only while it is a draft; this one is “%(status)s”."
)
ERROR_REPORT_STAGE = _("Documents of the expense report can be added only once the contribution is granted.")
ERROR_REPORT_LOCKED = _("The expense report is “%(status)s”: its documents can no longer change.")
ERROR_GRANT_CLOSED = _(
    "The grant is closed (nothing is left to liquidate): its documents can no longer change."
)
ERROR_REPORT_UNDER_VERIFICATION = _(
    "Expense report n. %(report)s is with the Region for verification: its documents can change again "
    "only if it is returned for corrections."
)

# Statuses in which the documents of the expense report (stage "report") may be uploaded.
REPORT_STATUSES = frozenset(
    {
        ApplicationStatus.GRANTED,
        ApplicationStatus.REPORTING,
        ApplicationStatus.VERIFIED,
        ApplicationStatus.LIQUIDATED,
    }
)


# --- Upload ---------------------------------------------------------------------------------------------
def _check_stage(
    application: Application, required_document: RequiredDocument | None, expense_line: ExpenseLine | None
) -> None:
    report_stage = expense_line is not None or (
        required_document is not None and required_document.stage == DocumentStage.REPORT
    )
    if not report_stage:
        if application.status != ApplicationStatus.DRAFT:
            raise _refuse(
                ERROR_APPLICATION_LOCKED,
                "application_locked",
                status=ApplicationStatus(application.status).label,
            )
        return
    if application.status not in REPORT_STATUSES:
        raise _refuse(ERROR_REPORT_STAGE, "report_stage")
    refusal = _report_documents_refusal(application)
    if refusal is not None:
        raise refusal
    if expense_line is not None:
        report = expense_line.report
        if report.status not in (ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED):
            raise _refuse(
                ERROR_REPORT_LOCKED, "report_locked", status=ExpenseReportStatus(report.status).label
            )


def report_under_verification(application: Application) -> ExpenseReport | None:
    """The application's expense report waiting for the Region's verification, if any: what it was
    sent with is what the official checks, so its documents stay as they are meanwhile."""
    if application.commitment_id is None:
        return None
    return (
        ExpenseReport.objects.filter(
            commitment_id=application.commitment_id, status=ExpenseReportStatus.SUBMITTED
        )
        .order_by("-pk")
        .first()
    )


def _report_documents_refusal(application: Application) -> ValidationError | None:
    """Why the documents of the reporting stage cannot change now, if they cannot: a report is under
    verification, or the grant is closed (nothing left to liquidate, or cancelled)."""
    submitted = report_under_verification(application)
    if submitted is not None:
        return _refuse(ERROR_REPORT_UNDER_VERIFICATION, "report_submitted", report=submitted.pk)
    commitment = Commitment.objects.filter(pk=application.commitment_id).first()
    if commitment is not None and (
        commitment.status == CommitmentStatus.CANCELLED or commitment.to_liquidate <= 0
    ):
        return _refuse(ERROR_GRANT_CLOSED, "grant_closed")
    return None


def report_documents_open(application: Application) -> bool:
    """Whether the documents of the reporting stage (the paid invoice, the installation certificate)
    may be uploaded now: the contribution is granted, the grant still open and no report is under
    verification."""
    return application.status in REPORT_STATUSES and _report_documents_refusal(application) is None


def _line_of(expense_line: ExpenseLine, application: Application) -> bool:
    """The line's report is the application's (linked directly, or through its commitment)."""
    report = expense_line.report
    if report.application_id is not None:
        return report.application_id == application.pk
    return application.commitment_id is not None and report.commitment_id == application.commitment_id


def document_upload(
    *,
    actor: User,
    application: Application,
    required_document: RequiredDocument | None = None,
    expense_line: ExpenseLine | None = None,
    uploaded_file,
) -> Document:
    """Store a checked upload for `application` (optionally for a required document and/or an expense
    line). A new upload for the same required document (and line) makes the previous one not current;
    a line keeps every file attached to it without a required document.
    Refused uploads leave no row, no audit event and no file behind."""
    require_applicant_of(actor, application.applicant_id)
    if required_document is not None and required_document.call_id != application.call_id:
        raise ValidationError({"required_document": ERROR_WRONG_CALL})
    if expense_line is not None and not _line_of(expense_line, application):
        raise ValidationError({"expense_line": ERROR_WRONG_REPORT})
    if uploaded_file is None:  # a page's form sent without one
        raise ValidationError({"file": ERROR_NO_FILE})
    checked = check_file(
        uploaded_file=uploaded_file,
        accepted_types=required_document.accepted_types if required_document is not None else None,
        document_name=required_document.name if required_document is not None else "",
    )

    def lock() -> tuple[Application, Organisation]:
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("applicant")
            .get(pk=application.pk)
        )
        _check_stage(locked, required_document, expense_line)
        return locked, locked.applicant

    return _save(
        actor=actor,
        checked=checked,
        lock=lock,
        required_document=required_document,
        expense_line=expense_line,
    )


def line_document_upload(*, actor: User, expense_line: ExpenseLine, uploaded_file) -> Document:
    """Store a checked upload (an invoice, a proof of payment) on an expense line of a grant that has
    no application, such as a comune's share of a population split: the beneficiary's staff upload
    it while the report is a draft or sent back. Refused uploads leave nothing behind."""
    report = expense_line.report
    require_applicant_of(actor, report.commitment.beneficiary_id)
    checked = check_file(uploaded_file=uploaded_file, accepted_types=None, document_name="")

    def lock() -> tuple[None, Organisation]:
        locked = (
            ExpenseReport.objects.select_for_update(of=("self",))
            .select_related("commitment__beneficiary")
            .get(pk=report.pk)
        )
        if locked.status not in (ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED):
            raise _refuse(
                ERROR_REPORT_LOCKED, "report_locked", status=ExpenseReportStatus(locked.status).label
            )
        return None, locked.commitment.beneficiary

    return _save(actor=actor, checked=checked, lock=lock, required_document=None, expense_line=expense_line)


def _save(*, actor, checked, lock, required_document, expense_line) -> Document:
    """Write the file and its row in one transaction (after `lock()` has locked and checked the owner
    and returned (application or None, organisation)); earlier versions become not current; audited.
    If anything fails, the stored file is removed again."""
    stored_name = ""
    storage = Document._meta.get_field("file").storage
    try:
        with transaction.atomic():
            application, organisation = lock()
            document = Document(
                application=application,
                required_document=required_document,
                expense_line=expense_line,
                original_name=checked.name,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=checked.sha256,
                uploaded_by=actor,
                is_current=True,
            )
            document.file.save(checked.name, ContentFile(checked.data), save=False)
            stored_name = document.file.name
            document.save()
            replaced: list[int] = []
            # A new file for a required document replaces the previous one (for the same line, if
            # any); free attachments of an invoice line (the invoice, the proof of payment...) add up.
            if required_document is not None:
                previous = Document.objects.filter(
                    application=application,
                    required_document=required_document,
                    expense_line=expense_line,
                    is_current=True,
                ).exclude(pk=document.pk)
                replaced = list(previous.values_list("pk", flat=True))
                previous.update(is_current=False)
            audit_record_many(
                [
                    AuditEntry(
                        action="document.uploaded",
                        actor=actor,
                        organisation=organisation,
                        target=document,
                        after={
                            "application": application.pk if application else None,
                            "name": checked.name,
                            "type": checked.type,
                            "size": len(checked.data),
                            "sha256": checked.sha256,
                            "required_document": required_document.code if required_document else None,
                            "expense_line": expense_line.pk if expense_line else None,
                            "replaces": replaced,
                        },
                    )
                ]
            )
    except BaseException:
        if stored_name:
            storage.delete(stored_name)
        raise
    return document
