"""Commitments (impegni): money of a reservation committed to a named beneficiary, provisional
until confirmed."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from funding.choices import CommitmentStatus
from funding.models import Commitment, Reservation
from funding.services.ledger.common import (
    COMMITMENT_FIELDS,
    ERROR_ALREADY_DEFINITIVE,
    ERROR_COMMITMENT_CANCELLED,
    ERROR_RESERVATION_EXCEEDED,
    LABEL_COMMITMENT_TO_LIQUIDATE,
    LABEL_RESERVATION_AVAILABLE,
    Act,
    Figure,
    Preview,
    _check_dates,
    _plus,
    _refuse,
    _require,
    _validated,
)
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.bulk import bulk_insert
from portal.constants import ZERO
from portal.models import Organisation, User
from portal.money import clean_amount


@dataclass(frozen=True)
class CommitmentLine:
    beneficiary: Organisation | int  # the organisation, or its pk (an adoption holds 1,181 as pks)
    amount: Decimal
    cup: str = ""
    description: str = ""

    def __post_init__(self):
        # The CUP as people type it ("j 12 ..."): the service normalises it, for the pages and the API.
        object.__setattr__(self, "cup", (self.cup or "").strip().upper())


def _commitment_build(
    *,
    actor: User | None,
    reservation: Reservation,
    line: CommitmentLine,
    amount: Decimal,
    act: Act,
    status: str,
    validate: bool = True,
) -> Commitment:
    """An unsaved, validated commitment of `amount` (already cleaned by the caller). `validate=False`
    when a line with the same CUP and description was already validated with the same act and status:
    those are the only fields a line adds beside the amount."""
    beneficiary = line.beneficiary
    commitment = Commitment(
        reservation=reservation,
        **({"beneficiary_id": beneficiary} if isinstance(beneficiary, int) else {"beneficiary": beneficiary}),
        amount=amount,
        act_type=act.type,
        act_number=act.number,
        act_date=act.date,
        cup=line.cup,
        status=status,
        description=line.description,
        created_by=actor,
    )
    if validate:
        _validated(commitment, exclude=["reservation", "beneficiary"])
    return commitment


def _check_reservation(reservation: Reservation, amount: Decimal) -> None:
    if amount > reservation.available:
        raise _refuse(ERROR_RESERVATION_EXCEEDED, "amount", available=reservation.available, requested=amount)


def commitment_create_many(
    *,
    actor: User | None,
    reservation: Reservation,
    lines: list[CommitmentLine],
    act: Act,
    status: str = CommitmentStatus.PROVISIONAL,
    audit_extra: dict | None = None,
) -> list[Commitment]:
    """Commit many lines on one reservation atomically (an adopted allocation: 1,181 in one go)."""
    _require(actor)
    _check_dates(act=act)
    commitments, validated = [], set()
    for index, line in enumerate(lines):
        try:
            amount = clean_amount(line.amount)
        except ValidationError as exc:
            raise ValidationError({f"lines[{index}].amount": exc.message_dict["amount"]}) from exc
        shape = (line.cup, line.description)
        commitments.append(
            _commitment_build(
                actor=actor,
                reservation=reservation,
                line=line,
                amount=amount,
                act=act,
                status=status,
                validate=shape not in validated,
            )
        )
        validated.add(shape)
    total = sum((c.amount for c in commitments), ZERO)
    with transaction.atomic():
        locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
        _check_reservation(locked, total)
        if len(commitments) == 1:
            commitments[0].save()
        else:
            bulk_insert(commitments)
        Reservation.objects.filter(pk=locked.pk).update(committed_total=_plus("committed_total", total))
        audit_record_many(
            [
                AuditEntry(
                    action="ledger.commitment.created",
                    actor=actor,
                    organisation=c.beneficiary_id,
                    target=c,
                    after={**snapshot(c, COMMITMENT_FIELDS), **(audit_extra or {})},
                )
                for c in commitments
            ]
        )
    return commitments


def commitment_create(
    *,
    actor: User | None,
    reservation: Reservation,
    beneficiary: Organisation,
    amount,
    act: Act,
    cup: str = "",
    description: str = "",
    status: str = CommitmentStatus.PROVISIONAL,
) -> Commitment:
    line = CommitmentLine(beneficiary=beneficiary, amount=amount, cup=cup, description=description)
    try:
        return commitment_create_many(
            actor=actor, reservation=reservation, lines=[line], act=act, status=status
        )[0]
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "lines[0].amount" in exc.error_dict:
            raise ValidationError({"amount": exc.error_dict["lines[0].amount"]}) from exc
        raise


def commitment_preview(
    *,
    actor: User | None,
    reservation: Reservation,
    beneficiary: Organisation,
    amount,
    act: Act,
    cup: str = "",
    description: str = "",
    status: str = CommitmentStatus.PROVISIONAL,
) -> Preview:
    """What commitment_create would leave available on the reservation; validates, writes nothing."""
    _require(actor)
    _check_dates(act=act)
    line = CommitmentLine(beneficiary=beneficiary, amount=amount, cup=cup, description=description)
    commitment = _commitment_build(
        actor=actor, reservation=reservation, line=line, amount=clean_amount(amount), act=act, status=status
    )
    current = Reservation.objects.get(pk=reservation.pk)
    _check_reservation(current, commitment.amount)
    return Preview(
        amount=commitment.amount,
        figures=(
            Figure(LABEL_RESERVATION_AVAILABLE, current.available, current.available - commitment.amount),
        ),
    )


def _check_confirmable(commitment: Commitment) -> None:
    if commitment.status == CommitmentStatus.CANCELLED:
        raise ValidationError(ERROR_COMMITMENT_CANCELLED, code="cancelled")
    if commitment.status == CommitmentStatus.DEFINITIVE:
        raise ValidationError(ERROR_ALREADY_DEFINITIVE, code="definitive")


def commitment_confirm_preview(*, actor: User | None, commitment: Commitment) -> Preview:
    """Confirming moves no money: the figures stay, the status becomes definitive."""
    _require(actor)
    current = Commitment.objects.get(pk=commitment.pk)
    _check_confirmable(current)
    return Preview(
        amount=current.amount,
        figures=(Figure(LABEL_COMMITMENT_TO_LIQUIDATE, current.to_liquidate, current.to_liquidate),),
        status_before=current.status,
        status_after=CommitmentStatus.DEFINITIVE,
    )


def commitment_confirm(*, actor: User | None, commitment: Commitment) -> Commitment:
    """Provisional → definitive (the determinazione becomes executive)."""
    _require(actor)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        _check_confirmable(locked)
        locked.status = CommitmentStatus.DEFINITIVE
        locked.save(update_fields=["status"])
        audit_record_many(
            [
                AuditEntry(
                    action="ledger.commitment.confirmed",
                    actor=actor,
                    organisation=locked.beneficiary,
                    target=locked,
                    before={"status": CommitmentStatus.PROVISIONAL},
                    after={"status": locked.status},
                )
            ]
        )
    return locked
