"""Closing: what stays unspent on a grant becomes an economy; a call whose grants are all closed
is closed out."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.choices import (
    CallStatus,
    CommitmentStatus,
    ExpenseReportStatus,
)
from funding.models import (
    Call,
    Commitment,
    ExpenseReport,
    Reservation,
)
from funding.services.calls import call_advance
from funding.services.expenses.common import (
    ERROR_CALL_GRANTS_OPEN,
    ERROR_CALL_NOT_CLOSABLE,
    ERROR_GRANT_OPEN_REPORT,
    ERROR_NOTHING_TO_CLOSE,
    _check_act,
    _field_error,
    _require_official,
)
from funding.services.ledger import Act, commitment_is_live, economy_create
from portal.audit import AuditEntry, audit_record_many
from portal.models import User
from portal.permissions import LEDGER_WRITE, can


def _close(*, actor: User | None, commitment: Commitment, act: Act, date: datetime.date, reason: str):
    """Return what is left on the commitment to the reservation as an economy (none if nothing is left)."""
    commitment.refresh_from_db()
    remaining = commitment.to_liquidate
    if remaining <= 0:
        return None
    return economy_create(
        actor=actor,
        commitment=commitment,
        amount=remaining,
        date=date,
        act=act,
        description=reason[:300],
        cancel=commitment.liquidated_total == 0,
    )


def grant_close(
    *,
    actor: User | None,
    commitment: Commitment,
    act_number: str,
    act_date: datetime.date,
    reason: str = "",
):
    """An official closes a grant: what is not liquidated becomes an economy (the whole commitment,
    cancelled, when nothing was ever liquidated). Refused while a report is open."""
    _require_official(actor, LEDGER_WRITE)
    act = Act(number=(act_number or "").strip(), date=act_date)
    _check_act(act)
    with transaction.atomic():
        Reservation.objects.select_for_update().get(pk=commitment.reservation_id)
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        # A submitted report waits for the official's examination; drafts and returned reports of
        # a closed grant can no longer be submitted.
        pending = locked.expense_reports.filter(status=ExpenseReportStatus.SUBMITTED).first()
        if pending is not None:
            raise _field_error("commitment", ERROR_GRANT_OPEN_REPORT, code="open_report", report=pending.pk)
        if not commitment_is_live(locked):
            raise _field_error("commitment", ERROR_NOTHING_TO_CLOSE, code="closed")
        economy = _close(
            actor=actor,
            commitment=locked,
            act=act,
            date=act_date,
            reason=reason or str(_("Grant closed by the official")),
        )
        audit_record_many(
            [
                AuditEntry(
                    action="expense.grant.closed",
                    actor=actor,
                    organisation=locked.beneficiary,
                    target=locked,
                    after={"economy": economy.pk, "amount": economy.amount, "reason": reason},
                )
            ]
        )
    return economy


def may_close_grant(*, user: User, commitment: Commitment) -> bool:
    """What the report's page offers: closing a live grant with no report waiting for verification."""
    return (
        can(user, LEDGER_WRITE)
        and commitment_is_live(commitment)
        and not commitment.expense_reports.filter(status=ExpenseReportStatus.SUBMITTED).exists()
    )


def call_commitments(call: Call):
    return Commitment.objects.filter(
        Q(allocation_row__allocation__call=call) | Q(application__call=call)
    ).distinct()


CLOSABLE_STATUSES = (CallStatus.RANKED, CallStatus.AWARDED)


def may_close_out(*, user: User, call: Call) -> bool:
    """What the pages offer: closing out a call whose allocation is done (call_close_out checks the
    grants are closed too, and says how many are not)."""
    return can(user, LEDGER_WRITE) and call.status in CLOSABLE_STATUSES


def call_close_out(*, actor: User | None, call: Call) -> Call:
    """The call is closed out once every grant is closed (nothing left to liquidate, no open report)."""
    _require_official(actor, LEDGER_WRITE)
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.status not in CLOSABLE_STATUSES:
            raise _field_error(
                "status", ERROR_CALL_NOT_CLOSABLE, code="not_closable", status=CallStatus(locked.status).label
            )
        commitments = list(call_commitments(locked).exclude(status=CommitmentStatus.CANCELLED))
        still_open = [c for c in commitments if c.to_liquidate > 0]
        open_reports = ExpenseReport.objects.filter(
            commitment__in=commitments, status=ExpenseReportStatus.SUBMITTED
        ).values_list("commitment_id", flat=True)
        count = len({c.pk for c in still_open} | set(open_reports))
        if count:
            raise _field_error("status", ERROR_CALL_GRANTS_OPEN, code="grants_open", count=count)
        call_advance(actor=actor, call=locked, to_status=CallStatus.CLOSED_OUT)
    call.status = CallStatus.CLOSED_OUT
    return locked
