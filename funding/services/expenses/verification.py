"""The official's side: each line eligible or not, the payable amount, verification and liquidation
(saldo or acconto), or the report returned for corrections."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.allocation.percentage_capped_ranked import requested_contribution
from funding.choices import (
    AllocationMethod,
    ApplicationStatus,
    EligibleBasis,
    ExpenseReportStatus,
    LiquidationReason,
)
from funding.models import (
    Application,
    Call,
    Commitment,
    ExpenseLine,
    ExpenseReport,
    Reservation,
)
from funding.services.allocation import call_percentage_terms
from funding.services.expenses.closing import _close
from funding.services.expenses.common import (
    ERROR_LINES_UNDECIDED,
    ERROR_NOT_SUBMITTED,
    ERROR_REASON_REQUIRED,
    ERROR_RETURN_REASON,
    _check_act,
    _field_error,
    _locked_report,
    _require_official,
    _status_label,
)
from funding.services.ledger import Act, liquidation_create
from funding.services.workflow import application_transition
from inventory import hooks as inventory_hooks
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.constants import ZERO
from portal.models import User
from portal.permissions import (
    LEDGER_WRITE,
    REVIEW_APPLICATIONS,
)


# --- Examining a report ----------------------------------------------------------------------------
def expense_line_set_eligibility(
    *, actor: User | None, line: ExpenseLine, eligible: bool, reason: str = ""
) -> ExpenseLine:
    """The official decides on one line; a line that is not eligible needs the reason."""
    _require_official(actor, REVIEW_APPLICATIONS)
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise _field_error("ineligible_reason", ERROR_REASON_REQUIRED, code="required")
    with transaction.atomic():
        report = _locked_report(line.report)
        if report.status != ExpenseReportStatus.SUBMITTED:
            raise _field_error(
                "report", ERROR_NOT_SUBMITTED, code="not_submitted", status=_status_label(report)
            )
        locked = ExpenseLine.objects.select_for_update().get(pk=line.pk)
        before = snapshot(locked, ("eligible", "ineligible_reason"))
        locked.eligible = eligible
        locked.ineligible_reason = "" if eligible else reason[:300]
        locked.save(update_fields=["eligible", "ineligible_reason"])
        audit_record_many(
            [
                AuditEntry(
                    action="expense.line.eligibility",
                    actor=actor,
                    organisation=report.commitment.beneficiary,
                    target=report,
                    before={"line": locked.pk, **before},
                    after={"line": locked.pk, **snapshot(locked, ("eligible", "ineligible_reason"))},
                )
            ]
        )
    line.eligible, line.ineligible_reason = locked.eligible, locked.ineligible_reason
    return locked


@dataclass(frozen=True)
class LineDecision:
    line: ExpenseLine
    eligible: bool
    reason: str = ""


class LineDecisionsRefused(ValidationError):
    """Some decisions were refused, and none was saved: `by_line` maps each refused line's pk to why."""

    def __init__(self, by_line: dict[int, ValidationError]):
        self.by_line = by_line
        super().__init__([message for exc in by_line.values() for message in exc.messages])


def expense_lines_decide(*, actor: User | None, report: ExpenseReport, decisions: list[LineDecision]) -> None:
    """The official's decisions on several lines of a report, all saved or none (each one audited)."""
    _require_official(actor, REVIEW_APPLICATIONS)
    refused: dict[int, ValidationError] = {}
    shown = [(d.line, d.line.eligible, d.line.ineligible_reason) for d in decisions]
    with transaction.atomic():
        for decision in decisions:
            if decision.line.report_id != report.pk:
                raise PermissionDenied
            try:
                with transaction.atomic():
                    expense_line_set_eligibility(
                        actor=actor, line=decision.line, eligible=decision.eligible, reason=decision.reason
                    )
            except ValidationError as exc:
                refused[decision.line.pk] = exc
        if refused:
            for line, eligible, reason in shown:  # nothing was saved: the lines say so too
                line.eligible, line.ineligible_reason = eligible, reason
            raise LineDecisionsRefused(refused)


def expense_report_return(*, actor: User | None, report: ExpenseReport, reason: str) -> ExpenseReport:
    """Send the report back to the beneficiary for corrections (the application stays "reporting")."""
    _require_official(actor, REVIEW_APPLICATIONS)
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("notes", ERROR_RETURN_REASON, code="required")
    with transaction.atomic():
        locked = _locked_report(report)
        if locked.status != ExpenseReportStatus.SUBMITTED:
            raise _field_error(
                "report", ERROR_NOT_SUBMITTED, code="not_submitted", status=_status_label(locked)
            )
        locked.status = ExpenseReportStatus.RETURNED
        locked.notes = reason
        locked.save(update_fields=["status", "notes", "updated_at"])
        audit_record_many(
            [
                AuditEntry(
                    action="expense.report.returned",
                    actor=actor,
                    organisation=locked.commitment.beneficiary,
                    target=locked,
                    before={"status": ExpenseReportStatus.SUBMITTED},
                    after={"status": locked.status, "reason": reason},
                )
            ]
        )
    report.status = locked.status
    return locked


@dataclass(frozen=True)
class Payable:
    """How the payable amount of a report is reached, step by step (shown before confirming)."""

    method: str
    eligible_basis: str
    eligible_net: Decimal
    eligible_gross: Decimal
    eligible_amount: Decimal  # on the call's basis (net or gross)
    percentage: Decimal | None
    cap: Decimal | None
    already_liquidated: Decimal
    allowed: Decimal  # what the call's rule allows for this report
    remaining: Decimal  # what is still to be liquidated on the commitment
    amount: Decimal  # the smaller of allowed and remaining
    undecided: int


def report_call(report: ExpenseReport) -> Call | None:
    if report.application_id is not None:
        return report.application.call
    row = getattr(report.commitment, "allocation_row", None)
    return row.allocation.call if row is not None else None


def _percentage_terms(call: Call) -> tuple[Decimal, Decimal | None]:
    return call_percentage_terms(call)


def expense_report_payable(*, report: ExpenseReport) -> Payable:
    """The payable amount: the smaller of what is left on the commitment and what the call allows.

    Percentage-capped calls allow the percentage of the eligible net (all verified reports of the
    grant counted together) up to the cap, less what was already liquidated; other calls allow the
    eligible amount on the call's basis (net or gross).
    """
    commitment = Commitment.objects.get(pk=report.commitment_id)
    lines = list(report.lines.all())
    eligible = [line for line in lines if line.eligible]
    eligible_net = sum((line.net_amount for line in eligible), ZERO)
    eligible_gross = sum((line.total_amount for line in eligible), ZERO)
    call = report_call(report)
    basis = call.eligible_basis if call is not None else EligibleBasis.GROSS
    method = call.allocation_method if call is not None else ""
    eligible_amount = eligible_net if basis == EligibleBasis.NET else eligible_gross
    percentage = cap = None
    already = commitment.liquidated_total
    if method == AllocationMethod.PERCENTAGE_CAPPED:
        percentage, cap = _percentage_terms(call)
        earlier_net = (
            ExpenseLine.objects.filter(
                report__commitment_id=commitment.pk,
                report__status=ExpenseReportStatus.VERIFIED,
                eligible=True,
            ).aggregate(t=Sum("net_amount"))["t"]
            or ZERO
        )
        # The same rule as the ranking (percentage rounded half up, then capped), on every eligible
        # net of the grant reported so far, so an advance and a balance add up to the same amount.
        cumulative = requested_contribution(
            expense=earlier_net + eligible_net, percentage=percentage, cap=cap
        )
        allowed = max(cumulative - already, ZERO)
    else:
        allowed = eligible_amount
    remaining = max(commitment.to_liquidate, ZERO)
    return Payable(
        method=method,
        eligible_basis=basis,
        eligible_net=eligible_net,
        eligible_gross=eligible_gross,
        eligible_amount=eligible_amount,
        percentage=percentage,
        cap=cap,
        already_liquidated=already,
        allowed=allowed,
        remaining=remaining,
        amount=min(allowed, remaining),
        undecided=sum(1 for line in lines if line.eligible is None),
    )


def _without_implicit_date(exc: ValidationError, *, implicit: bool) -> ValidationError:
    """Without a liquidation date of its own the liquidation is dated with the act: say each refusal
    once, on the act's date."""
    if not implicit or not hasattr(exc, "error_dict") or "act_date" not in exc.error_dict:
        return exc
    return ValidationError({k: v for k, v in exc.error_dict.items() if k != "date"})


def expense_report_verify(
    *,
    actor: User | None,
    report: ExpenseReport,
    act_number: str,
    act_date: datetime.date,
    liquidation_date: datetime.date | None = None,
) -> ExpenseReport:
    """Verify a submitted report and liquidate the payable amount (saldo if final, else acconto).

    A final report closes the grant: what stays unspent on the commitment becomes an economy.
    """
    _require_official(actor, REVIEW_APPLICATIONS, LEDGER_WRITE)
    act = Act(number=(act_number or "").strip(), date=act_date)
    _check_act(act)
    when = liquidation_date or act_date
    with transaction.atomic():
        commitment = Commitment.objects.get(pk=report.commitment_id)
        Reservation.objects.select_for_update().get(pk=commitment.reservation_id)
        Commitment.objects.select_for_update().get(pk=commitment.pk)
        application = None
        if report.application_id is not None:
            application = Application.objects.select_for_update().get(pk=report.application_id)
        locked = _locked_report(report)
        if locked.status != ExpenseReportStatus.SUBMITTED:
            raise _field_error(
                "report", ERROR_NOT_SUBMITTED, code="not_submitted", status=_status_label(locked)
            )
        payable = expense_report_payable(report=locked)
        if payable.undecided:
            raise _field_error("lines", ERROR_LINES_UNDECIDED, code="undecided", count=payable.undecided)
        # A call that funds devices may require them registered before verification.
        inventory_hooks.expense_report_verifying(report=locked)
        liquidation = None
        reason = LiquidationReason.BALANCE if locked.is_final else LiquidationReason.ADVANCE
        if payable.amount > 0:
            try:
                liquidation = liquidation_create(
                    actor=actor,
                    commitment=commitment,
                    amount=payable.amount,
                    date=when,
                    act=act,
                    reason=reason,
                    description=str(_("Expense report n. %(report)s") % {"report": locked.pk}),
                )
            except ValidationError as exc:
                raise _without_implicit_date(exc, implicit=liquidation_date is None) from exc
        locked.status = ExpenseReportStatus.VERIFIED
        locked.verified_at = timezone.now()
        locked.verified_by = actor
        locked.eligible_total = payable.eligible_amount
        locked.payable_amount = payable.amount
        locked.liquidation = liquidation
        locked.save(
            update_fields=[
                "status",
                "verified_at",
                "verified_by",
                "eligible_total",
                "payable_amount",
                "liquidation",
                "updated_at",
            ]
        )
        audit_record_many(
            [
                AuditEntry(
                    action="expense.report.verified",
                    actor=actor,
                    organisation=commitment.beneficiary,
                    target=locked,
                    before={"status": ExpenseReportStatus.SUBMITTED},
                    after={
                        "status": locked.status,
                        "eligible_net": payable.eligible_net,
                        "eligible_gross": payable.eligible_gross,
                        "eligible_amount": payable.eligible_amount,
                        "allowed": payable.allowed,
                        "remaining": payable.remaining,
                        "payable": payable.amount,
                        "liquidation": liquidation.pk if liquidation else None,
                        "reason": reason,
                    },
                )
            ]
        )
        if application is not None:
            application_transition(
                actor=actor,
                application=application,
                to_status=ApplicationStatus.VERIFIED,
                extra={"expense_report": locked.pk, "payable": payable.amount},
            )
            if liquidation is not None:
                application_transition(
                    actor=actor,
                    application=application,
                    to_status=ApplicationStatus.LIQUIDATED,
                    extra={"liquidation": liquidation.pk, "amount": payable.amount, "reason": reason},
                )
        if locked.is_final:
            _close(actor=actor, commitment=commitment, act=act, date=when, reason=str(_("Final report")))
    return locked
