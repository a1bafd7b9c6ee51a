"""Commitments (impegni): money of a reservation committed to a named beneficiary, provisional
until confirmed."""

from dataclasses import dataclass
from decimal import Decimal
from typing import NotRequired, TypedDict, Unpack

from django.core.exceptions import ValidationError

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
    _current,
    _plus,
    _refuse,
    _require,
    _validated,
    _writing,
)
from portal.audit import AuditEntry, audit_record, audit_record_many, snapshot
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


class CommitmentArgs(TypedDict):
    """What commitment_preview and commitment_create take, by keyword: one line on one reservation."""

    actor: User | None
    reservation: Reservation
    beneficiary: Organisation
    amount: Decimal | str
    act: Act
    cup: NotRequired[str]
    description: NotRequired[str]
    status: NotRequired[str]


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
        **act.columns(),
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


def _commitments(
    *,
    write: bool,
    actor: User | None,
    reservation: Reservation,
    lines: list[CommitmentLine],
    act: Act,
    status: str,
    audit_extra: dict | None = None,
) -> tuple[list[Commitment], Preview]:
    """The one commitment of many lines, checked against the reservation as it is now (see the
    package's docstring)."""
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
    with _writing(write):
        current = _current(Reservation, reservation.pk, lock=write)
        _check_reservation(current, total)
        preview = Preview(
            amount=total,
            figures=(Figure(LABEL_RESERVATION_AVAILABLE, current.available, current.available - total),),
        )
        if write:
            if len(commitments) == 1:
                commitments[0].save()
            else:
                bulk_insert(commitments)
            Reservation.objects.filter(pk=current.pk).update(committed_total=_plus("committed_total", total))
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
    return commitments, preview


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
    return _commitments(
        write=True,
        actor=actor,
        reservation=reservation,
        lines=lines,
        act=act,
        status=status,
        audit_extra=audit_extra,
    )[0]


def _commitment(
    *,
    write: bool,
    actor: User | None,
    reservation: Reservation,
    beneficiary: Organisation,
    amount,
    act: Act,
    cup: str = "",
    description: str = "",
    status: str = CommitmentStatus.PROVISIONAL,
) -> tuple[Commitment, Preview]:
    """One line: its amount's error named `amount`, as the form and the serializer name the field."""
    line = CommitmentLine(beneficiary=beneficiary, amount=amount, cup=cup, description=description)
    try:
        commitments, preview = _commitments(
            write=write, actor=actor, reservation=reservation, lines=[line], act=act, status=status
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "lines[0].amount" in exc.error_dict:
            raise ValidationError({"amount": exc.error_dict["lines[0].amount"]}) from exc
        raise
    return commitments[0], preview


def commitment_preview(**kwargs: Unpack[CommitmentArgs]) -> Preview:
    """What commitment_create would leave available on the reservation; validates, writes nothing."""
    return _commitment(write=False, **kwargs)[1]


def commitment_create(**kwargs: Unpack[CommitmentArgs]) -> Commitment:
    return _commitment(write=True, **kwargs)[0]


def _check_confirmable(commitment: Commitment) -> None:
    if commitment.status == CommitmentStatus.CANCELLED:
        raise ValidationError(ERROR_COMMITMENT_CANCELLED, code="cancelled")
    if commitment.status == CommitmentStatus.DEFINITIVE:
        raise ValidationError(ERROR_ALREADY_DEFINITIVE, code="definitive")


def _confirm(*, write: bool, actor: User | None, commitment: Commitment) -> tuple[Commitment, Preview]:
    """Provisional → definitive (the determinazione becomes executive): no money moves, the figures
    stay."""
    _require(actor)
    with _writing(write):
        current = _current(Commitment, commitment.pk, lock=write)
        _check_confirmable(current)
        preview = Preview(
            amount=current.amount,
            figures=(Figure(LABEL_COMMITMENT_TO_LIQUIDATE, current.to_liquidate, current.to_liquidate),),
            status_before=current.status,
            status_after=CommitmentStatus.DEFINITIVE,
        )
        if write:
            current.status = CommitmentStatus.DEFINITIVE
            current.save(update_fields=["status"])
            audit_record(
                action="ledger.commitment.confirmed",
                actor=actor,
                organisation=current.beneficiary,
                target=current,
                before={"status": CommitmentStatus.PROVISIONAL},
                after={"status": current.status},
            )
    return current, preview


def commitment_confirm_preview(*, actor: User | None, commitment: Commitment) -> Preview:
    return _confirm(write=False, actor=actor, commitment=commitment)[1]


def commitment_confirm(*, actor: User | None, commitment: Commitment) -> Commitment:
    """Provisional → definitive (the determinazione becomes executive)."""
    return _confirm(write=True, actor=actor, commitment=commitment)[0]
