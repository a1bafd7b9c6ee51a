from funding.models.allocation import Allocation, AllocationRow, ExpenseLine, ExpenseReport
from funding.models.calls import Application, Call, Document, RequiredDocument
from funding.models.ledger import Commitment, Economy, LedgerEntry, Liquidation, Reservation
from funding.models.programme import Action, Axis, BudgetChapter, Programme
from funding.models.transparency import GrantPublication

__all__ = [
    "Action",
    "Allocation",
    "AllocationRow",
    "Application",
    "Axis",
    "BudgetChapter",
    "Call",
    "Commitment",
    "Document",
    "Economy",
    "ExpenseLine",
    "ExpenseReport",
    "GrantPublication",
    "LedgerEntry",
    "Liquidation",
    "Programme",
    "RequiredDocument",
    "Reservation",
]
