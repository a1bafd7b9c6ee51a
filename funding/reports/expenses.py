"""Expense reports (one row per invoice line) and liquidations (one row per liquidation)."""

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from funding.choices import EligibleBasis, LiquidationReason
from funding.filtersets import ExpenseLineFilterSet, LiquidationFilterSet
from funding.reports.common import (
    CHUNK_SIZE,
    act_formatter,
    call_lines,
    chapter_text,
    grant_call_title,
    money_columns,
)
from funding.selectors import expense_line_list, liquidation_list
from funding.services.expenses import LINE_FIELDS
from portal.constants import ZERO
from portal.permissions import EXPORT
from reporting.registry import Column, ColumnType, Report, filter_queryset, register


# --- Expense reports: one row per invoice line ---------------------------------------------------------
def _expense_lines(*, user, params):
    return filter_queryset(ExpenseLineFilterSet, expense_line_list(user=user), params)


def expense_rows(*, user, params):
    """Each line with its eligible amount: the net or the total (the call's basis; VAT included when
    the grant has no call), nothing for a line found not eligible, blank while undecided."""
    rows = (
        _expense_lines(user=user, params=params)
        .annotate(
            call_title=grant_call_title("report__commitment__"),
            basis=Coalesce(
                "report__commitment__application__call__eligible_basis",
                "report__commitment__allocation_row__allocation__call__eligible_basis",
                Value(EligibleBasis.GROSS),
            ),
        )
        .order_by("report__commitment__beneficiary__name", "report_id", "invoice_date", "pk")
        .values_list(
            "report__commitment__beneficiary__name",
            "call_title",
            "report_id",
            *LINE_FIELDS,  # supplier, partita IVA, invoice number and date, description, net, VAT, total
            "eligible",
            "basis",
        )
    )
    yes, no = str(_("yes")), str(_("no"))
    for *line, net, vat, total, eligible, basis in rows.iterator(chunk_size=CHUNK_SIZE):
        if eligible is None:
            flag, amount = "", None
        elif eligible:
            flag, amount = yes, (net if basis == EligibleBasis.NET else total)
        else:
            flag, amount = no, ZERO
        yield (*line, net, vat, total, flag, amount)


def expense_count(*, user, params) -> int:
    return _expense_lines(user=user, params=params).count()


def expense_subtitle(params) -> list[str]:
    return call_lines(params.get("call"))


EXPENSES = register(
    Report(
        key="funding.expenses",
        title=_("Expense reports: invoice lines"),
        description=_(
            "Every invoice line of the beneficiaries' expense reports, with supplier, amounts and whether "
            "the Region found it eligible."
        ),
        capability=EXPORT,
        filterset_class=ExpenseLineFilterSet,
        subtitle=expense_subtitle,
        columns=(
            Column("beneficiary", _("Beneficiary"), width=24),
            Column("call", _("Call"), width=24),
            Column("report", _("Report no."), ColumnType.CODE, width=8),
            Column("supplier", _("Supplier"), width=22),
            Column("supplier_vat_number", _("Partita IVA"), ColumnType.CODE, width=12),
            Column("invoice_number", _("Invoice number"), width=12),
            Column("invoice_date", _("Invoice date"), ColumnType.DATE),
            Column("description", _("Description"), width=30),
            *money_columns(("net", _("Net")), ("vat", _("VAT")), ("total", _("Total"))),
            Column("eligible", _("Eligible"), width=8),
            Column("eligible_amount", _("Eligible amount"), ColumnType.MONEY, total=True),
        ),
        rows=expense_rows,
        count=expense_count,
        dense=True,
    )
)


# --- Liquidations ----------------------------------------------------------------------------------
def _liquidations(*, user, params):
    return filter_queryset(LiquidationFilterSet, liquidation_list(user=user), params).order_by("date", "pk")


def liquidation_rows(*, user, params):
    rows = _liquidations(user=user, params=params).values_list(
        "date",
        "act_type",
        "act_number",
        "act_date",
        "reason",
        "commitment__beneficiary__name",
        "commitment__reservation__chapter__number",
        "commitment__reservation__chapter__article",
        "commitment__reservation__chapter__year",
        "commitment__act_type",
        "commitment__act_number",
        "commitment__act_date",
        "amount",
        "payment_date",
    )
    act = act_formatter()
    reasons = {value: str(label) for value, label in LiquidationReason.choices}
    for (
        date,
        act_type,
        act_number,
        act_date,
        reason,
        beneficiary,
        number,
        article,
        year,
        commitment_type,
        commitment_number,
        commitment_date,
        amount,
        payment_date,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            date,
            act(act_type, act_number, act_date),
            reasons.get(reason, reason),
            beneficiary,
            chapter_text(number, article, year),
            act(commitment_type, commitment_number, commitment_date),
            amount,
            payment_date,
        )


def liquidation_count(*, user, params) -> int:
    return _liquidations(user=user, params=params).count()


LIQUIDATIONS = register(
    Report(
        key="funding.liquidations",
        title=_("Liquidations register"),
        description=_(
            "Every liquidation with its act, causale (advance or balance), beneficiary, the commitment it "
            "draws on and the amount."
        ),
        capability=EXPORT,
        filterset_class=LiquidationFilterSet,
        columns=(
            Column("date", _("Date"), ColumnType.DATE),
            Column("act", _("Liquidation act"), width=22),
            Column("reason", _("Payment type"), width=14),
            Column("beneficiary", _("Beneficiary"), width=28),
            Column("chapter", _("Chapter"), ColumnType.CODE, width=12),
            Column("commitment", _("Commitment act"), width=22),
            Column("amount", _("Amount"), ColumnType.MONEY, total=True),
            Column("payment_date", _("Payment date"), ColumnType.DATE),
        ),
        rows=liquidation_rows,
        count=liquidation_count,
    )
)
