"""Proposing an allocation: read the call's candidates (a couple of queries), compute the split with
the pure strategies of funding.allocation, store the inputs and every row, supersede older proposals.

Candidates by method:
- population: every comune with a population figure at the call's reference date (or the ISTAT
  codes listed in allocation_params["comuni"]); the beneficiary is each comune's municipality;
- declared weight: the admitted applications, by their declared weight;
- percentage capped and fixed: the admitted applications, ranked by the call's criterion.
Scorrimento (allocation_rerank) proposes the next round of a ranked call: the money freed by
withdrawals, revocations and economies goes to the next in the ranking; nobody's grant decreases.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from funding import allocation as strategies
from funding.allocation.base import AllocationInput, AllocationResult
from funding.choices import (
    AllocationMethod,
    AllocationStatus,
    ApplicationStatus,
    CallStatus,
    CommitmentStatus,
)
from funding.models import Allocation, AllocationRow, Application, Call, Reservation
from funding.services.allocation.adopt import IN_ALLOCATION_STATUSES, RANKED_METHODS
from funding.services.allocation.candidates import (
    ERROR_NO_CANDIDATES,
    Beneficiaries,
    call_applications,
    inputs_for,
    ranked_input,
)
from portal.audit import AuditEntry, audit_record_many
from portal.constants import ZERO
from portal.formatting import format_money
from portal.models import User
from portal.permissions import REVIEW_APPLICATIONS, can, require

ERROR_CALL_STATUS = _("A call that is “%(status)s” cannot be allocated.")
ERROR_CALL_OPEN = _("The call still takes applications: allocate it once it is closed.")
ERROR_ALREADY_ADOPTED = _(
    "The allocation of this call is already adopted: scroll the ranking to allocate freed money."
)
ERROR_NOTHING_TO_SPLIT = _("The reservation has nothing available to split (%(available)s).")
ERROR_PARAMS = _("The allocation parameters of the call are not valid: %(detail)s")
ERROR_NOT_RANKED = _("Only a ranked call can scroll its ranking; this one is split by %(method)s.")
ERROR_NOT_ADOPTED = _("The first allocation of this call is not adopted yet: adopt it before scrolling.")
ERROR_NOTHING_FREED = _("No money has been freed: the reservation has nothing available.")


def _require(actor: User | None) -> None:
    if actor is not None:
        require(actor, REVIEW_APPLICATIONS)


def _compute(allocation_input: AllocationInput) -> AllocationResult:
    try:
        return strategies.compute(allocation_input)
    except ValueError as exc:
        raise ValidationError(
            {"allocation_params": ValidationError(ERROR_PARAMS, code="invalid", params={"detail": str(exc)})}
        ) from exc


def _call_total(call: Call, reservation: Reservation) -> Decimal:
    total = (call.allocation_params or {}).get("total")
    available = reservation.available
    amount = min(Decimal(str(total)), available) if total not in (None, "") else available
    if amount <= 0:
        raise ValidationError(
            {
                "reservation": ValidationError(
                    ERROR_NOTHING_TO_SPLIT, code="empty", params={"available": format_money(available)}
                )
            }
        )
    return amount


# --- Storing -----------------------------------------------------------------------------------------
def _store(
    *,
    actor: User | None,
    call: Call,
    round_: int,
    result: AllocationResult,
    beneficiaries: Beneficiaries,
    event: str,
    extra_inputs: dict | None = None,
) -> Allocation:
    superseded = list(
        Allocation.objects.filter(call=call, round=round_, status=AllocationStatus.PROPOSED).values_list(
            "pk", flat=True
        )
    )
    if superseded:
        Allocation.objects.filter(pk__in=superseded).update(status=AllocationStatus.SUPERSEDED)
    allocation = Allocation.objects.create(
        call=call,
        round=round_,
        method=call.allocation_method,
        status=AllocationStatus.PROPOSED,
        total=result.total,
        allocated_total=result.allocated,
        inputs={**result.input.to_dict(), **(extra_inputs or {})},
        computed_by=actor,
    )
    AllocationRow.objects.bulk_create(
        [
            AllocationRow(
                allocation=allocation,
                position=row.position,
                beneficiary_id=beneficiaries.organisation[row.key],
                application_id=beneficiaries.application[row.key],
                weight=Decimal(row.weight),
                exact_quota=row.quota_decimal,
                requested=row.requested,
                amount=row.amount,
                outcome=row.outcome,
                rule=row.rule,
                rule_params=dict(row.rule_params),
                granted_before=beneficiaries.granted.get(row.key, ZERO),
            )
            for row in result.rows
        ],
        batch_size=500,
    )
    audit_record_many(
        [
            AuditEntry(
                action=event,
                actor=actor,
                target=allocation,
                after={
                    "call": call.pk,
                    "round": round_,
                    "method": call.allocation_method,
                    "reference_date": call.reference_date,
                    "total": result.total,
                    "allocated": result.allocated,
                    "unallocated": result.unallocated,
                    "rows": len(result.rows),
                    "supersedes": superseded,
                },
            )
        ]
    )
    return allocation


def proposal_refusal(call: Call) -> ValidationError | None:
    """Why `call` cannot get a proposal now (closed out, or still taking applications), or None."""
    if call.status == CallStatus.CLOSED_OUT:
        return ValidationError(
            ERROR_CALL_STATUS, code="call_status", params={"status": CallStatus(call.status).label}
        )
    if call.requires_application and call.status in (CallStatus.DRAFT, CallStatus.PUBLISHED):
        return ValidationError(ERROR_CALL_OPEN, code="call_open")
    return None


def _check_call(call: Call) -> None:
    if (refusal := proposal_refusal(call)) is not None:
        raise refusal


def may_propose(*, user: User, call: Call, has_adopted: bool) -> bool:
    """What the pages offer: the first round's proposal, on the same rules allocation_propose checks."""
    return can(user, REVIEW_APPLICATIONS) and not has_adopted and proposal_refusal(call) is None


def may_rerank(*, user: User, call: Call, has_adopted: bool, available: Decimal) -> bool:
    """What the pages offer: a scorrimento, on the same rules allocation_rerank checks first."""
    return (
        can(user, REVIEW_APPLICATIONS)
        and call.allocation_method in RANKED_METHODS
        and has_adopted
        and available > 0
        and proposal_refusal(call) is None
    )


def allocation_propose(*, actor: User | None, call: Call) -> Allocation:
    """Compute the first round of the call's allocation and store it as the current proposal."""
    _require(actor)
    with transaction.atomic():
        locked = Call.objects.select_for_update(of=("self",)).select_related("reservation").get(pk=call.pk)
        _check_call(locked)
        if Allocation.objects.filter(call=locked, status=AllocationStatus.ADOPTED).exists():
            raise ValidationError(ERROR_ALREADY_ADOPTED, code="adopted")
        reservation = Reservation.objects.get(pk=locked.reservation_id)
        total = _call_total(locked, reservation)
        allocation_input, beneficiaries = inputs_for(actor=actor, call=locked, total=total)
        result = _compute(allocation_input)
        return _store(
            actor=actor,
            call=locked,
            round_=1,
            result=result,
            beneficiaries=beneficiaries,
            event="allocation.proposed",
        )


def allocation_rerank(*, actor: User | None, call: Call) -> Allocation:
    """Scorrimento: the next round of a ranked call, with the money now available on the reservation.

    Candidates are the applications still in the ranking whose grant can still change: granted (with
    what they already have, which the strategy keeps) and not funded. Withdrawn, revoked and
    inadmissible ones are out; so are grants already reported on, liquidated in part or closed,
    which keep what they have. The money freed by cancelled commitments and by economies goes to
    the next in the ranking. Adopting the proposal commits only what is new.
    """
    _require(actor)
    with transaction.atomic():
        locked = Call.objects.select_for_update(of=("self",)).select_related("reservation").get(pk=call.pk)
        if locked.allocation_method not in RANKED_METHODS:
            raise ValidationError(
                ERROR_NOT_RANKED,
                code="not_ranked",
                params={"method": AllocationMethod(locked.allocation_method).label},
            )
        _check_call(locked)
        last = (
            Allocation.objects.filter(call=locked, status=AllocationStatus.ADOPTED).order_by("-round").first()
        )
        if last is None:
            raise ValidationError(ERROR_NOT_ADOPTED, code="not_adopted")
        reservation = Reservation.objects.get(pk=locked.reservation_id)
        if reservation.available <= 0:
            raise ValidationError(ERROR_NOTHING_FREED, code="nothing_freed")
        candidates, granted, frozen = [], {}, {}
        for app in call_applications(locked, IN_ALLOCATION_STATUSES):
            commitment = app.commitment
            live = commitment is not None and commitment.status != CommitmentStatus.CANCELLED
            if live and (
                app.status != ApplicationStatus.GRANTED
                or commitment.liquidated_total > 0
                or commitment.economies_total > 0
            ):
                frozen[str(app.pk)] = str(commitment.net)
                continue
            if live:
                granted[str(app.pk)] = app.granted_amount or ZERO
            candidates.append(app)
        if not candidates:
            raise ValidationError(ERROR_NO_CANDIDATES, code="no_candidates")
        released = {
            str(pk): amount
            for pk, amount in Application.objects.filter(
                call=locked,
                status__in=(ApplicationStatus.WITHDRAWN, ApplicationStatus.REVOKED),
                granted_amount__gt=0,
            ).values_list("pk", "granted_amount")
        }
        total = sum(granted.values(), ZERO) + reservation.available
        allocation_input, beneficiaries = ranked_input(
            call=locked, total=total, applications=candidates, granted=granted, released=released
        )
        result = _compute(allocation_input)
        return _store(
            actor=actor,
            call=locked,
            round_=last.round + 1,
            result=result,
            beneficiaries=beneficiaries,
            event="allocation.reranked",
            extra_inputs={"frozen": frozen, "previous": last.pk},
        )
