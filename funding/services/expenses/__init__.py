"""Expense reports (rendicontazione) and what follows them: verification, liquidation, closure.

The beneficiary reports invoices on its grant (a granted application, or directly a commitment for
splits without applications such as the COVID one); an official marks each line eligible or not and
verifies the report: the payable amount is written to the ledger as a liquidation (saldo for a final
report, acconto otherwise). When the grant is closed, what stays unspent becomes an economy.

Locks are taken top-down (reservation → commitment → application → report) and every write is
audited in its transaction. A refused step raises ValidationError naming the field and changes nothing.
"""

from funding.services.expenses.closing import (
    call_close_out,
    call_commitments,
    grant_close,
    may_close_grant,
    may_close_out,
)
from funding.services.expenses.common import (
    EDITABLE_STATUSES,
    ERROR_ACT_DATE,
    ERROR_ACT_NUMBER,
    ERROR_CALL_GRANTS_OPEN,
    ERROR_CALL_NOT_CLOSABLE,
    ERROR_COMMITMENT_CANCELLED,
    ERROR_COMMITMENT_CLOSED,
    ERROR_COMMITMENT_OF_APPLICATION,
    ERROR_GRANT_OPEN_REPORT,
    ERROR_INVOICE_DUPLICATE,
    ERROR_INVOICE_FUTURE,
    ERROR_LINES_UNDECIDED,
    ERROR_MISSING_DOCUMENTS,
    ERROR_NO_COMMITMENT,
    ERROR_NOT_BENEFICIARY,
    ERROR_NOT_GRANTED,
    ERROR_NOT_SUBMITTED,
    ERROR_NOTHING_TO_CLOSE,
    ERROR_OPEN_REPORT,
    ERROR_REASON_REQUIRED,
    ERROR_REPORT_EMPTY,
    ERROR_REPORT_NOT_EDITABLE,
    ERROR_RETURN_REASON,
    ERROR_TOTAL_MISMATCH,
    LINE_FIELDS,
    OPEN_REPORT_STATUSES,
    report_awaits_verification,
    report_is_editable,
)
from funding.services.expenses.reports import (
    expense_document_attach,
    expense_line_add,
    expense_line_remove,
    expense_report_create,
    expense_report_submit,
)
from funding.services.expenses.verification import (
    LineDecision,
    LineDecisionsRefused,
    Payable,
    expense_line_set_eligibility,
    expense_lines_decide,
    expense_report_payable,
    expense_report_return,
    expense_report_verify,
)

__all__ = [
    "EDITABLE_STATUSES",
    "ERROR_ACT_DATE",
    "ERROR_ACT_NUMBER",
    "ERROR_CALL_GRANTS_OPEN",
    "ERROR_CALL_NOT_CLOSABLE",
    "ERROR_COMMITMENT_CANCELLED",
    "ERROR_COMMITMENT_CLOSED",
    "ERROR_COMMITMENT_OF_APPLICATION",
    "ERROR_GRANT_OPEN_REPORT",
    "ERROR_INVOICE_DUPLICATE",
    "ERROR_INVOICE_FUTURE",
    "ERROR_LINES_UNDECIDED",
    "ERROR_MISSING_DOCUMENTS",
    "ERROR_NOTHING_TO_CLOSE",
    "ERROR_NOT_BENEFICIARY",
    "ERROR_NOT_GRANTED",
    "ERROR_NOT_SUBMITTED",
    "ERROR_NO_COMMITMENT",
    "ERROR_OPEN_REPORT",
    "ERROR_REASON_REQUIRED",
    "ERROR_REPORT_EMPTY",
    "ERROR_REPORT_NOT_EDITABLE",
    "ERROR_RETURN_REASON",
    "ERROR_TOTAL_MISMATCH",
    "LINE_FIELDS",
    "OPEN_REPORT_STATUSES",
    "LineDecision",
    "LineDecisionsRefused",
    "Payable",
    "call_close_out",
    "call_commitments",
    "expense_document_attach",
    "expense_line_add",
    "expense_line_remove",
    "expense_line_set_eligibility",
    "expense_lines_decide",
    "expense_report_create",
    "expense_report_payable",
    "expense_report_return",
    "expense_report_submit",
    "expense_report_verify",
    "grant_close",
    "may_close_grant",
    "may_close_out",
    "report_awaits_verification",
    "report_is_editable",
]
