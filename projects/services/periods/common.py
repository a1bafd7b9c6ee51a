"""What the periodic report's services share: error messages, the report's lock, and who may write what
while it is a draft."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from projects.choices import CostKind, ReportStatus
from projects.models import (
    Partner,
    PeriodicReport,
)
from projects.services.common import (
    ERROR_NOT_OF_PROJECT,
    access,
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
