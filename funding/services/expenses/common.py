"""Messages, permission checks and small helpers shared by the expense-report services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.acts import validate_act_number
from funding.choices import (
    ExpenseReportStatus,
)
from funding.models import (
    ExpenseReport,
)
from funding.services.ledger import ERROR_ACT_DATE_FUTURE, Act
from portal.choices import Role
from portal.models import User
from portal.permissions import (
    APPLY,
    organisation_ids_with_role,
    require,
)

ERROR_NOT_BENEFICIARY = _("Only staff of the beneficiary may report expenses on this grant.")
ERROR_NOT_GRANTED = _("Expenses can be reported only on a granted application; this one is “%(status)s”.")
ERROR_NO_COMMITMENT = _("This application has no commitment yet: there is nothing to report on.")
ERROR_COMMITMENT_OF_APPLICATION = _(
    "This commitment belongs to an application: report the expenses on the application."
)
ERROR_COMMITMENT_CLOSED = _("Nothing is left to liquidate on this commitment: the grant is closed.")
ERROR_COMMITMENT_CANCELLED = _("This commitment is cancelled: no expenses can be reported on it.")
ERROR_OPEN_REPORT = _("Expense report n. %(report)s on this grant is still open: complete it first.")
ERROR_REPORT_NOT_EDITABLE = _(
    "The report is “%(status)s”: lines can be changed only while it is a draft or returned."
)
ERROR_TOTAL_MISMATCH = _("The total (%(total)s) must equal net plus VAT (%(expected)s).")
ERROR_INVOICE_FUTURE = _("The invoice date cannot be in the future.")
ERROR_INVOICE_DUPLICATE = _("Invoice %(number)s of this supplier is already reported on this grant.")
ERROR_REPORT_EMPTY = _("Add at least one invoice line before submitting the report.")
ERROR_MISSING_DOCUMENTS = _("Attach the mandatory documents before submitting: %(names)s.")
ERROR_NOT_SUBMITTED = _("Only a submitted report can be examined; this one is “%(status)s”.")
ERROR_REASON_REQUIRED = _("Say why the line is not eligible.")
ERROR_LINES_UNDECIDED = _("%(count)d line(s) still need a decision: mark each one eligible or not.")
ERROR_RETURN_REASON = _("Say what the beneficiary must correct.")
ERROR_GRANT_OPEN_REPORT = _("Expense report n. %(report)s is still open: verify or return it first.")
ERROR_CALL_NOT_CLOSABLE = _("The call cannot be closed out while it is “%(status)s”.")
ERROR_CALL_GRANTS_OPEN = _(
    "%(count)d grant(s) of this call still have money to liquidate or an open report: close them first."
)
ERROR_NOTHING_TO_CLOSE = _("Nothing is left on this commitment: it is already closed.")
ERROR_ACT_NUMBER = _("Enter the number of the act (determinazione).")
ERROR_ACT_DATE = _("Enter the date of the act.")

OPEN_REPORT_STATUSES = (
    ExpenseReportStatus.DRAFT,
    ExpenseReportStatus.SUBMITTED,
    ExpenseReportStatus.RETURNED,
)
EDITABLE_STATUSES = (ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED)
LINE_FIELDS = (
    "supplier_name",
    "supplier_vat_number",
    "invoice_number",
    "invoice_date",
    "description",
    "net_amount",
    "vat_amount",
    "total_amount",
)


def report_is_editable(report: ExpenseReport) -> bool:
    """The beneficiary may still add, remove and attach invoices, and submit (draft or returned)."""
    return report.status in EDITABLE_STATUSES


def report_awaits_verification(report: ExpenseReport) -> bool:
    """Submitted: the official decides on its lines, then verifies it or returns it."""
    return report.status == ExpenseReportStatus.SUBMITTED


def _field_error(field: str, message, *, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _require_beneficiary(actor: User | None, organisation_id: int) -> None:
    """actor=None is the system (demo data); otherwise an applicant of the beneficiary."""
    if actor is None:
        return
    require(actor, APPLY)
    if organisation_id not in organisation_ids_with_role(actor, Role.APPLICANT):
        raise PermissionDenied(ERROR_NOT_BENEFICIARY)


def _require_official(actor: User | None, *capabilities: str) -> None:
    if actor is None:
        return
    for capability in capabilities:
        require(actor, capability)


def _locked_report(report: ExpenseReport) -> ExpenseReport:
    return ExpenseReport.objects.select_for_update().get(pk=report.pk)


def _status_label(report: ExpenseReport) -> str:
    return str(ExpenseReportStatus(report.status).label)


def _check_act(act: Act) -> None:
    if not act.number:
        raise _field_error("act_number", ERROR_ACT_NUMBER, code="required")
    try:
        validate_act_number(act.number)
    except ValidationError as exc:
        raise ValidationError({"act_number": exc}) from exc
    if act.date is None:
        raise _field_error("act_date", ERROR_ACT_DATE, code="required")
    if act.date > timezone.localdate():
        raise _field_error("act_date", ERROR_ACT_DATE_FUTURE, code="future")
