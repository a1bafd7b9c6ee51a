"""The periodic report of a reporting period: each partner's actual costs (expenditure lines) and
effort, each work package's progress, a justification for every late item of the period, and the
status flow draft → locked for review → submitted → accepted (or reopened, with a reason).

Partners' project managers write their own partner's costs and effort while the report is a draft;
the coordinator's project manager writes progress and justifications, locks and submits; an official
accepts or reopens a submitted report. Due 60 days after the period ends."""

from projects.services.periods.common import (
    ACTIONS,
    ERROR_INVOICE_DATE,
    ERROR_LATE_UNJUSTIFIED,
    ERROR_NOT_LATE,
    ERROR_REPORT_NOT_DRAFT,
    ERROR_REPORT_STATUS,
    ERROR_TEXT_REQUIRED,
    ERROR_VAT_ID,
    ERROR_VAT_REQUIRED,
    ERROR_WP_NOT_IN_PERIOD,
    LINE_FIELDS,
    NO_SUPPLIER_KINDS,
)
from projects.services.periods.costs import (
    actual_effort_set,
    expenditure_line_add,
    expenditure_line_remove,
    normalise_vat_id,
)
from projects.services.periods.progress import (
    LateItem,
    late_items,
    late_justification_set,
    models_f,
    wp_progress_set,
)
from projects.services.periods.status import report_accept, report_lock, report_reopen, report_submit

__all__ = [
    "ACTIONS",
    "ERROR_INVOICE_DATE",
    "ERROR_LATE_UNJUSTIFIED",
    "ERROR_NOT_LATE",
    "ERROR_REPORT_NOT_DRAFT",
    "ERROR_REPORT_STATUS",
    "ERROR_TEXT_REQUIRED",
    "ERROR_VAT_ID",
    "ERROR_VAT_REQUIRED",
    "ERROR_WP_NOT_IN_PERIOD",
    "LINE_FIELDS",
    "NO_SUPPLIER_KINDS",
    "LateItem",
    "actual_effort_set",
    "expenditure_line_add",
    "expenditure_line_remove",
    "late_items",
    "late_justification_set",
    "models_f",
    "normalise_vat_id",
    "report_accept",
    "report_lock",
    "report_reopen",
    "report_submit",
    "wp_progress_set",
]
