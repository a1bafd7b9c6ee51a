"""Adopting an allocation: the official's act turns the proposal into commitments, in one transaction.

Locks, top-down: call → allocation → reservation → commitments → applications. Two officials
adopting the same proposal queue on the call's row lock; the second finds it adopted and is refused.
The database constraint "one adopted allocation per round" is the backstop.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding import allocation as strategies
from funding.acts import validate_act_number
from funding.choices import (
    CALL_STATUS_ORDER,
    AllocationStatus,
    ApplicationStatus,
    CallStatus,
)
from funding.models import Allocation, AllocationRow, Application, Call, Commitment, Reservation
from funding.services.allocation import act_pdfs
from funding.services.allocation.rules import rule_text_in
from funding.services.calls import call_advance
from funding.services.ledger import (
    ERROR_ACT_DATE_FUTURE,
    Act,
    CommitmentLine,
    commitment_create_many,
    economy_create,
)
from funding.services.workflow import ERROR_TRANSITION, NOTIFIED, allowed, notify_decision
from portal.audit import AuditEntry, audit_record_many
from portal.bulk import bulk_set
from portal.constants import ZERO
from portal.formatting import format_money
from portal.models import User
from portal.permissions import LEDGER_WRITE, require

ERROR_NOT_CURRENT = _("This proposal is no longer current: it is “%(status)s”.")
ERROR_ROUND_ADOPTED = _("Round %(round)s of this call already has an adopted allocation.")
ERROR_STALE = _(
    "The applications changed since this proposal was computed (%(application)s): compute a new proposal."
)
ERROR_RESERVATION_SHORT = _(
    "The reservation has %(available)s available, but this allocation needs %(needed)s: "
    "compute a new proposal."
)
ERROR_ACT_NUMBER = _("Enter the number of the act (determinazione) that adopts the allocation.")
ERROR_ACT_DATE = _("Enter the date of the act.")
ERROR_DECREASE = _("An amount already granted cannot decrease (%(application)s).")

# Methods whose result is a ranking (graduatoria): the call becomes "ranked" and can scroll.
RANKED_METHODS = strategies.RANKED_METHODS
# Applications that take part in an allocation (before or after a first grant).
IN_ALLOCATION_STATUSES = (
    ApplicationStatus.ADMISSIBLE,
    ApplicationStatus.RANKED,
    ApplicationStatus.GRANTED,
    ApplicationStatus.NOT_FUNDED,
    ApplicationStatus.REPORTING,
    ApplicationStatus.VERIFIED,
    ApplicationStatus.LIQUIDATED,
)


def check_act(act_number: str, act_date: datetime.date | None) -> Act:
    number = (act_number or "").strip()
    if not number:
        raise ValidationError({"act_number": ValidationError(ERROR_ACT_NUMBER, code="required")})
    try:
        validate_act_number(number)
    except ValidationError as exc:
        raise ValidationError({"act_number": exc}) from exc
    if act_date is None:
        raise ValidationError({"act_date": ValidationError(ERROR_ACT_DATE, code="required")})
    if act_date > timezone.localdate():
        raise ValidationError({"act_date": ValidationError(ERROR_ACT_DATE_FUTURE, code="future")})
    return Act(number=number[:50], date=act_date)


# --- The plan: what adopting writes ----------------------------------------------------------------
@dataclass(frozen=True)
class PlanLine:
    row: AllocationRow
    previous: Decimal  # already granted to the row's application by an earlier round
    replaces: Commitment | None  # the earlier commitment that the new, larger one replaces

    @property
    def increment(self) -> Decimal:
        return self.row.amount - self.previous

    @property
    def commits(self) -> bool:
        return self.increment > 0


@dataclass(frozen=True)
class AdoptionEffect:
    """What adoption does to the reservation, shown to the official before confirming."""

    reservation: Reservation
    available_before: Decimal
    commitments: int
    committed: Decimal  # new commitments, in full
    returned: Decimal  # earlier commitments replaced by larger ones (economies)
    granted: int
    increased: int
    not_funded: int

    @property
    def available_after(self) -> Decimal:
        return self.available_before - self.committed + self.returned

    @property
    def needed(self) -> Decimal:
        return self.committed - self.returned


def _rows(allocation: Allocation) -> list[AllocationRow]:
    return list(allocation.rows.select_related("application", "application__commitment").order_by("position"))


def _plan(allocation: Allocation, rows: list[AllocationRow]) -> list[PlanLine]:
    """Check each row against the applications' current state and say what it will write."""
    plan = []
    for row in rows:
        app = row.application
        if app is None:
            plan.append(PlanLine(row=row, previous=ZERO, replaces=None))
            continue
        previous = app.granted_amount or ZERO
        if app.status not in IN_ALLOCATION_STATUSES or row.granted_before != previous:
            raise ValidationError(
                ERROR_STALE, code="stale", params={"application": app.protocol_number or app.pk}
            )
        if row.amount < previous:
            raise ValidationError(
                ERROR_DECREASE, code="decrease", params={"application": app.protocol_number or app.pk}
            )
        replaces = app.commitment if previous > 0 and row.amount > previous else None
        plan.append(PlanLine(row=row, previous=previous, replaces=replaces))
    return plan


def _effect(allocation: Allocation, plan: list[PlanLine], reservation: Reservation) -> AdoptionEffect:
    committing = [p for p in plan if p.commits]
    return AdoptionEffect(
        reservation=reservation,
        available_before=reservation.available,
        commitments=len(committing),
        committed=sum((p.row.amount for p in committing), ZERO),
        returned=sum((p.replaces.to_liquidate for p in committing if p.replaces is not None), ZERO),
        granted=sum(1 for p in committing if p.previous == 0),
        increased=sum(1 for p in committing if p.previous > 0),
        not_funded=sum(1 for p in plan if p.row.amount == 0),
    )


def allocation_effect(*, allocation: Allocation) -> AdoptionEffect:
    """The preview of allocation_adopt (no lock, no write): raises the same refusals it would."""
    reservation = Reservation.objects.get(pk=allocation.call.reservation_id)
    return _effect(allocation, _plan(allocation, _rows(allocation)), reservation)


# --- Applications in bulk, each transition audited --------------------------------------------------
@dataclass
class _Change:
    application: Application
    to_status: str | None  # None: fields only (a larger grant after scorrimento)
    fields: dict
    reason: str = ""


def _apply_changes(*, actor: User | None, changes: list[_Change], extra: dict) -> None:
    """The bulk path of application_transition: same rule (workflow.allowed), same audit event and
    e-mail per application, in a handful of queries instead of a handful per application."""
    if not changes:
        return
    ids = sorted(c.application.pk for c in changes)
    locked = {
        a.pk: a
        for a in Application.objects.select_for_update(of=("self",))
        .select_related("call", "applicant")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    now = timezone.now()
    entries, notified, field_names = [], [], {"updated_at"}
    for change in changes:
        app = locked[change.application.pk]
        current = app.status
        if change.to_status is not None and not allowed(current, change.to_status):
            raise ValidationError(
                ERROR_TRANSITION,
                code="invalid_transition",
                params={
                    "current": ApplicationStatus(current).label,
                    "target": ApplicationStatus(change.to_status).label,
                },
            )
        for name, value in change.fields.items():
            setattr(app, name, value)
            field_names.add(name)
        if change.to_status is not None:
            app.status = change.to_status
            field_names.add("status")
        if change.reason:
            app.decision_reason = change.reason
            field_names.add("decision_reason")
        app.updated_at = now
        audited_fields = {k: v.pk if isinstance(v, Commitment) else v for k, v in change.fields.items()}
        action = f"application.{change.to_status}" if change.to_status else "application.grant_increased"
        entries.append(
            AuditEntry(
                action=action,
                actor=actor,
                organisation=app.applicant,
                target=app,
                before={"status": current},
                after={"status": app.status, "reason": change.reason, **audited_fields, **extra},
            )
        )
        if change.to_status in NOTIFIED:
            notified.append((app, len(entries) - 1, change.reason))
        change.application = app
    Application.objects.bulk_update(list(locked.values()), sorted(field_names), batch_size=500)
    events = audit_record_many(entries)
    for app, index, reason in notified:
        notify_decision(app, event_seq=events[index].seq, reason=reason)


def _schedule_act_pdfs(allocation_id: int) -> None:
    """Once the adoption has committed, queue the act's PDFs (never rendered inside it)."""
    transaction.on_commit(lambda: act_pdfs.annex_schedule(allocation_id=allocation_id))


# --- Adoption --------------------------------------------------------------------------------------
def allocation_adopt(
    *, actor: User | None, allocation: Allocation, act_number: str, act_date: datetime.date
) -> Allocation:
    """Adopt the current proposal with the official's act: all commitments in one transaction."""
    if actor is not None:
        require(actor, LEDGER_WRITE)
    act = check_act(act_number, act_date)
    try:
        with transaction.atomic():
            return _adopt(actor=actor, allocation=allocation, act=act)
    except IntegrityError as exc:  # the "one adopted per round" constraint, if a race got this far
        raise ValidationError(
            ERROR_ROUND_ADOPTED, code="round_adopted", params={"round": allocation.round}
        ) from exc


def _adopt(*, actor: User | None, allocation: Allocation, act: Act) -> Allocation:
    call = Call.objects.select_for_update().get(pk=allocation.call_id)
    locked = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if locked.status != AllocationStatus.PROPOSED:
        raise ValidationError(
            ERROR_NOT_CURRENT, code="not_current", params={"status": AllocationStatus(locked.status).label}
        )
    if Allocation.objects.filter(
        call_id=locked.call_id, round=locked.round, status=AllocationStatus.ADOPTED
    ).exists():
        raise ValidationError(ERROR_ROUND_ADOPTED, code="round_adopted", params={"round": locked.round})
    reservation = Reservation.objects.select_for_update().get(pk=call.reservation_id)
    rows = _rows(locked)
    plan = _plan(locked, rows)
    effect = _effect(locked, plan, reservation)
    if effect.needed > reservation.available:
        raise ValidationError(
            ERROR_RESERVATION_SHORT,
            code="insufficient_funds",
            params={
                "available": format_money(reservation.available),
                "needed": format_money(effect.needed),
            },
        )
    # The call moves on first: its publication step (for a split without applications) checks
    # that the reservation still has money, which the commitments below use up.
    ranked = call.allocation_method in RANKED_METHODS
    target = CallStatus.RANKED if ranked else CallStatus.AWARDED
    if CALL_STATUS_ORDER.index(call.status) < CALL_STATUS_ORDER.index(target):
        call_advance(actor=actor, call=call, to_status=target, extra={"allocation": locked.pk})
    committing = [p for p in plan if p.commits]
    description = str(_("Allocation of the call %(call)s, round %(round)s")) % {
        "call": call.code,
        "round": locked.round,
    }
    # A larger grant replaces the earlier commitment: its whole amount goes back (economy) and one
    # new commitment carries the new total, so each application keeps a single live commitment.
    for line in committing:
        if line.replaces is not None:
            economy_create(
                actor=actor,
                commitment=line.replaces,
                amount=line.replaces.to_liquidate,
                date=act.date,
                act=act,
                description=description[:300],
                cancel=True,
            )
    commitments = commitment_create_many(
        actor=actor,
        reservation=reservation,
        lines=[
            CommitmentLine(
                beneficiary=p.row.beneficiary_id, amount=p.row.amount, description=description[:300]
            )
            for p in committing
        ],
        act=act,
        audit_extra={"allocation": locked.pk, "round": locked.round},
    )
    for line, commitment in zip(committing, commitments, strict=True):
        line.row.commitment = commitment
    # Each committing row gets its new commitment, in one statement per thousand rows.
    bulk_set(
        AllocationRow,
        "commitment",
        [(line.row.pk, commitment.pk) for line, commitment in zip(committing, commitments, strict=True)],
    )
    changes = []
    for line in plan:
        row, app = line.row, line.row.application
        if app is None:
            continue
        # The ranking approved with the first round stays the reference; later rounds do not renumber.
        fields = {"rank": row.position} if ranked and locked.round == 1 else {}
        reason = rule_text_in(row, settings.LANGUAGE_CODE)
        if line.commits:
            fields.update(granted_amount=row.amount, commitment=row.commitment)
            to_status = None if app.status == ApplicationStatus.GRANTED else ApplicationStatus.GRANTED
            changes.append(_Change(app, to_status, fields, reason))
        elif row.amount == 0 and app.status != ApplicationStatus.NOT_FUNDED:
            changes.append(_Change(app, ApplicationStatus.NOT_FUNDED, fields, reason))
    _apply_changes(
        actor=actor,
        changes=changes,
        extra={"allocation": locked.pk, "round": locked.round, "act": f"{act.number} {act.date}"},
    )
    locked.status = AllocationStatus.ADOPTED
    locked.adopted_at = timezone.now()
    locked.adopted_by = actor
    locked.act_number, locked.act_date = act.number, act.date
    locked.save(update_fields=["status", "adopted_at", "adopted_by", "act_number", "act_date", "updated_at"])
    audit_record_many(
        [
            AuditEntry(
                action="allocation.adopted",
                actor=actor,
                target=locked,
                before={"status": AllocationStatus.PROPOSED},
                after={
                    "status": locked.status,
                    "call": call.pk,
                    "round": locked.round,
                    "act_number": act.number,
                    "act_date": act.date,
                    "commitments": effect.commitments,
                    "committed": effect.committed,
                    "returned": effect.returned,
                    "available_after": effect.available_after,
                },
            )
        ]
    )
    _schedule_act_pdfs(locked.pk)
    allocation.status = locked.status
    return locked
