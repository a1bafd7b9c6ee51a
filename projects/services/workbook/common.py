"""The workbook's layout (sheets and their headers), its error messages, and the error that lists every
refused cell by sheet, row and column."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SHEETS = {
    "Project": ["field", "value"],
    "Partners": ["number", "short_name", "organisation", "country", "pic", "tax_code", "role"],
    "Periods": ["number", "start_month", "end_month"],
    "Budget": ["partner", "category", "period", "amount"],
    "WorkPackages": ["number", "title", "lead", "start_month", "end_month", "objectives"],
    "Tasks": ["work_package", "number", "title", "leader", "participants", "start_month", "end_month"],
    "Effort": ["work_package", "partner", "person_months"],
    "Deliverables": [
        "work_package",
        "number",
        "title",
        "lead",
        "type",
        "dissemination",
        "due_month",
        "description",
    ],
    "Milestones": ["number", "title", "work_packages", "due_month", "means_of_verification"],
}
PROJECT_FIELDS = [
    "acronym",
    "title",
    "programme",
    "grant_agreement_number",
    "call_topic",
    "start_date",
    "duration_months",
    "total_eligible_cost",
    "eu_contribution",
    "funding_rate",
    "description",
    "website",
]
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ERROR_NOT_EMPTY = _("The project already has a work plan, periods or a budget: import into an empty project.")
ERROR_NOT_XLSX = _("The file is not an XLSX workbook that can be read.")
ERROR_MISSING_SHEET = _("The sheet is missing.")
ERROR_HEADER = _("The header must be: %(header)s.")
ERROR_REQUIRED = _("A value is required.")
ERROR_NUMBER = _("Enter a whole number.")
ERROR_DECIMAL = _("Enter a number with at most two decimals.")
ERROR_DATE = _("Enter a date (YYYY-MM-DD).")
ERROR_UNKNOWN = _("“%(value)s” is not known here.")
ERROR_ORGANISATION = _(
    "No organisation with this PIC, codice fiscale or name is registered in the portal: an Italian body "
    "must be registered first (a foreign one, with its country and PIC, is registered by the import)."
)
ERROR_PROGRAMME = _("The programme is the project's own (%(code)s): it cannot change by import.")


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("Sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class WorkbookError(ValidationError):
    def __init__(self, errors: list[CellError]):
        self.cell_errors = errors
        super().__init__({"file": [str(e) for e in errors]})
