"""The work plan as an XLSX workbook: a template to fill, an export of any project, and an import
into an empty project that is all or nothing, with every bad cell reported by sheet, row and column.
An export imported into an empty project gives the same project (tests/projects/test_workbook.py).

Sheets, each with its header on row 1: Project (field, value), Partners, Periods, Budget,
WorkPackages, Tasks, Effort, Deliverables, Milestones. Organisations must already exist in the portal
(found by PIC, then codice fiscale, then name); codes come from the programme's lists."""

from projects.services.workbook.common import (
    CONTENT_TYPE,
    ERROR_DATE,
    ERROR_DECIMAL,
    ERROR_HEADER,
    ERROR_MISSING_SHEET,
    ERROR_NOT_EMPTY,
    ERROR_NOT_XLSX,
    ERROR_NUMBER,
    ERROR_ORGANISATION,
    ERROR_PROGRAMME,
    ERROR_REQUIRED,
    ERROR_UNKNOWN,
    PROJECT_FIELDS,
    SHEETS,
    CellError,
    WorkbookError,
)
from projects.services.workbook.export import workbook_export
from projects.services.workbook.importer import workbook_import

__all__ = [
    "CONTENT_TYPE",
    "ERROR_DATE",
    "ERROR_DECIMAL",
    "ERROR_HEADER",
    "ERROR_MISSING_SHEET",
    "ERROR_NOT_EMPTY",
    "ERROR_NOT_XLSX",
    "ERROR_NUMBER",
    "ERROR_ORGANISATION",
    "ERROR_PROGRAMME",
    "ERROR_REQUIRED",
    "ERROR_UNKNOWN",
    "PROJECT_FIELDS",
    "SHEETS",
    "CellError",
    "WorkbookError",
    "workbook_export",
    "workbook_import",
]
