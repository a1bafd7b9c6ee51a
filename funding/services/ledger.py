"""Ledger writes. Each locks the rows it checks (top-down: chapter → reservation → commitment, by pk),
verifies the invariant with a message that states what is still available, writes the entry, moves
the running totals with F(), and records the audit event, all in one transaction."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from funding.choices import ActType, CommitmentStatus, LiquidationReason
from funding.models import Action, BudgetChapter, Commitment, Economy, Liquidation, Reservation
from funding.selectors.transparency import awaits_publication
from funding.services.money import clean_amount
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.bulk import bulk_insert
from portal.constants import MONEY_DECIMAL_PLACES, ZERO
from portal.formatting import format_money
from portal.models import Organisation, User
from portal.permissions import LEDGER_WRITE, require

ERROR_CHAPTER_EXCEEDED = _(
    "Chapter %(chapter)s has %(available)s still available for reservations; %(requested)s were requested."
)
ERROR_RESERVATION_EXCEEDED = _(
    "The reservation has %(available)s still available for commitments; %(requested)s were requested."
)
ERROR_COMMITMENT_EXCEEDED = _(
    "The commitment has %(available)s still to be liquidated; %(requested)s were requested."
)
ERROR_ECONOMY_EXCEEDED = _(
    "Only %(available)s of the commitment is neither liquidated nor already returned; "
    "%(requested)s were requested."
)
ERROR_NOT_PUBLISHED = _(
    "This grant has not been published in the transparency register yet: grants over € 1,000 take "
    "effect, and can be paid, only once published (D.Lgs. 33/2013 art. 26)."
)
ERROR_ACTION_YEAR = _("The action runs from %(start)s to %(end)s: chapter year %(year)s is outside it.")
ERROR_COMMITMENT_CANCELLED = _("This commitment is cancelled: nothing more can be recorded on it.")
ERROR_ALREADY_DEFINITIVE = _("This commitment is already definitive.")
ERROR_ACT_DATE_FUTURE = _("The act date cannot be in the future.")
ERROR_LIQUIDATION_DATE_FUTURE = _("The liquidation date cannot be in the future.")
ERROR_ENTRY_DATE_FUTURE = _("The date cannot be in the future.")
ERROR_PAYMENT_DATE_FUTURE = _(
    "The payment date cannot be in the future: record it once the treasury has paid."
)
ERROR_PAYMENT_BEFORE_LIQUIDATION = _(
    "The payment date (%(payment_date)s) cannot be before the liquidation date (%(date)s): the treasury "
    "pays what has been liquidated."
)
ERROR_BEFORE_COMMITMENT = _(
    "The date %(date)s is before the commitment's act (%(act)s): a liquidation or an economy cannot "
    "precede the commitment it draws on."
)
ERROR_NOTHING_TO_CANCEL = _(
    "Nothing is left to cancel: the commitment is fully liquidated or already returned as economies."
)

LABEL_CHAPTER_AVAILABLE = _("Available on the chapter for reservations")
LABEL_RESERVATION_AVAILABLE = _("Available on the reservation for commitments")
LABEL_COMMITMENT_TO_LIQUIDATE = _("Still to be liquidated on the commitment")

RESERVATION_FIELDS = ("action", "chapter", "amount", "act_type", "act_number", "act_date", "description")
COMMITMENT_FIELDS = (
    "reservation",
    "beneficiary",
    "amount",
    "act_type",
    "act_number",
    "act_date",
    "cup",
    "status",
    "description",
)
LIQUIDATION_FIELDS = (
    "commitment",
    "amount",
    "date",
    "reason",
    "act_type",
    "act_number",
    "act_date",
    "payment_date",
)
ECONOMY_FIELDS = ("commitment", "amount", "date", "act_type", "act_number", "act_date", "description")


def _plus(field: str, amount: Decimal) -> Round:
    """`field + amount` for a running total, rounded to the cent in the database: SQLite keeps
    decimals as doubles, where 0.10 + 0.20 would be stored as 0.30000000000000004."""
    return Round(F(field) + amount, MONEY_DECIMAL_PLACES)


def _require(actor: User | None) -> None:
    """actor=None is the system (seed data, migrations of historical acts)."""
    if actor is not None:
        require(actor, LEDGER_WRITE)


def _refuse(message, field: str, *, available: Decimal, requested: Decimal, **params) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                message,
                code="insufficient_funds",
                params={"available": format_money(available), "requested": format_money(requested), **params},
            )
        }
    )


def _validated(instance, exclude=()) -> None:
    instance.full_clean(exclude=[*exclude, "created_by"], validate_constraints=False)


@dataclass(frozen=True)
class Act:
    """The act that authorises an entry: type, number, date."""

    number: str
    date: datetime.date
    type: str = ActType.DD


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _check_dates(
    *,
    act: Act,
    date: datetime.date | None = None,
    date_future=ERROR_ENTRY_DATE_FUTURE,
    payment_date: datetime.date | None = None,
    follows: Commitment | None = None,
) -> None:
    """The rules of every dated act of the ledger, all reported at once: no date in the future; a
    liquidation's or an economy's dates not before the act of the commitment it draws on (`follows`);
    a payment not before its liquidation. (A commitment may precede the act of its reservation: the
    COVID grants, DD 129 of 23 April 2020, came before the programme's DCR of 15 December 2020.)"""
    today = timezone.localdate()
    errors: dict[str, ValidationError] = {}
    if act.date > today:
        errors["act_date"] = ValidationError(ERROR_ACT_DATE_FUTURE, code="future")
    if date is not None and date > today:
        errors["date"] = ValidationError(date_future, code="future")
    if payment_date is not None:
        if payment_date > today:
            errors["payment_date"] = ValidationError(ERROR_PAYMENT_DATE_FUTURE, code="future")
        elif date is not None and payment_date < date:
            errors["payment_date"] = ValidationError(
                ERROR_PAYMENT_BEFORE_LIQUIDATION,
                code="payment_before_liquidation",
                params={"payment_date": _day(payment_date), "date": _day(date)},
            )
    if follows is not None:
        for field, value in (("act_date", act.date), ("date", date)):
            if value is not None and field not in errors and value < follows.act_date:
                errors[field] = ValidationError(
                    ERROR_BEFORE_COMMITMENT,
                    code="before_previous_act",
                    params={"date": _day(value), "act": follows.act},
                )
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Figure:
    """One availability figure an operation moves: what it is now and what it would be after."""

    label: str
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class Preview:
    """The effect of an operation, validated like the real one against the current rows; nothing written.

    The real operation validates again under its row locks: someone may act in between."""

    amount: Decimal
    figures: tuple[Figure, ...]
    status_before: str = ""
    status_after: str = ""


def _reservation_build(
    *, actor: User | None, action: Action, chapter: BudgetChapter, amount, act: Act, description: str
) -> Reservation:
    _require(actor)
    amount = clean_amount(amount)
    _check_dates(act=act)
    if not action.start_year <= chapter.year <= action.end_year:
        raise ValidationError(
            {
                "chapter": ValidationError(
                    ERROR_ACTION_YEAR,
                    params={"start": action.start_year, "end": action.end_year, "year": chapter.year},
                )
            }
        )
    reservation = Reservation(
        action=action,
        chapter=chapter,
        amount=amount,
        act_type=act.type,
        act_number=act.number,
        act_date=act.date,
        description=description,
        created_by=actor,
    )
    _validated(reservation, exclude=["chapter", "action"])
    return reservation


def _check_chapter(chapter: BudgetChapter, amount: Decimal) -> None:
    if amount > chapter.unreserved:
        raise _refuse(
            ERROR_CHAPTER_EXCEEDED,
            "amount",
            available=chapter.unreserved,
            requested=amount,
            chapter=str(chapter),
        )


def reservation_preview(
    *, actor: User | None, action: Action, chapter: BudgetChapter, amount, act: Act, description: str = ""
) -> Preview:
    reservation = _reservation_build(
        actor=actor, action=action, chapter=chapter, amount=amount, act=act, description=description
    )
    current = BudgetChapter.objects.get(pk=chapter.pk)
    _check_chapter(current, reservation.amount)
    return Preview(
        amount=reservation.amount,
        figures=(
            Figure(LABEL_CHAPTER_AVAILABLE, current.unreserved, current.unreserved - reservation.amount),
        ),
    )


def reservation_create(
    *, actor: User | None, action: Action, chapter: BudgetChapter, amount, act: Act, description: str = ""
) -> Reservation:
    reservation = _reservation_build(
        actor=actor, action=action, chapter=chapter, amount=amount, act=act, description=description
    )
    amount = reservation.amount
    with transaction.atomic():
        locked = BudgetChapter.objects.select_for_update().get(pk=chapter.pk)
        _check_chapter(locked, amount)
        reservation.save()
        BudgetChapter.objects.filter(pk=locked.pk).update(reserved_total=_plus("reserved_total", amount))
        audit_record_many(
            [
                AuditEntry(
                    action="ledger.reservation.created",
                    actor=actor,
                    target=reservation,
                    after=snapshot(reservation, RESERVATION_FIELDS),
                )
            ]
        )
    return reservation


@dataclass(frozen=True)
class CommitmentLine:
    beneficiary: Organisation | int  # the organisation, or its pk (an adoption holds 1,181 as pks)
    amount: Decimal
    cup: str = ""
    description: str = ""


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


def _check_open(commitment: Commitment) -> None:
    if commitment.status == CommitmentStatus.CANCELLED:
        raise ValidationError(ERROR_COMMITMENT_CANCELLED, code="cancelled")


def _lock_commitment(
    commitment: Commitment, *, with_reservation: bool
) -> tuple[Reservation | None, Commitment]:
    reservation = None
    if with_reservation:
        reservation = Reservation.objects.select_for_update().get(pk=commitment.reservation_id)
    locked = (
        Commitment.objects.select_for_update(of=("self",)).select_related("beneficiary").get(pk=commitment.pk)
    )
    _check_open(locked)
    return reservation, locked


def _liquidation_build(
    *,
    actor: User | None,
    commitment: Commitment,
    amount,
    date: datetime.date,
    act: Act,
    reason: str,
    payment_date: datetime.date | None,
    description: str,
) -> Liquidation:
    _require(actor)
    amount = clean_amount(amount)
    _check_dates(
        act=act,
        date=date,
        date_future=ERROR_LIQUIDATION_DATE_FUTURE,
        payment_date=payment_date,
        follows=commitment,
    )
    liquidation = Liquidation(
        commitment=commitment,
        amount=amount,
        date=date,
        reason=reason,
        act_type=act.type,
        act_number=act.number,
        act_date=act.date,
        payment_date=payment_date,
        description=description,
        created_by=actor,
    )
    _validated(liquidation, exclude=["commitment"])
    return liquidation


def _check_published(commitment: Commitment) -> None:
    if awaits_publication(commitment):
        raise ValidationError(ERROR_NOT_PUBLISHED, code="unpublished")


def _check_to_liquidate(commitment: Commitment, amount: Decimal, message) -> None:
    if amount > commitment.to_liquidate:
        raise _refuse(message, "amount", available=commitment.to_liquidate, requested=amount)


def liquidation_preview(
    *,
    actor: User | None,
    commitment: Commitment,
    amount,
    date: datetime.date,
    act: Act,
    reason: str = LiquidationReason.BALANCE,
    payment_date: datetime.date | None = None,
    description: str = "",
) -> Preview:
    liquidation = _liquidation_build(
        actor=actor,
        commitment=commitment,
        amount=amount,
        date=date,
        act=act,
        reason=reason,
        payment_date=payment_date,
        description=description,
    )
    current = Commitment.objects.get(pk=commitment.pk)
    _check_open(current)
    _check_published(current)
    _check_to_liquidate(current, liquidation.amount, ERROR_COMMITMENT_EXCEEDED)
    return Preview(
        amount=liquidation.amount,
        figures=(
            Figure(
                LABEL_COMMITMENT_TO_LIQUIDATE, current.to_liquidate, current.to_liquidate - liquidation.amount
            ),
        ),
    )


def liquidation_create(
    *,
    actor: User | None,
    commitment: Commitment,
    amount,
    date: datetime.date,
    act: Act,
    reason: str = LiquidationReason.BALANCE,
    payment_date: datetime.date | None = None,
    description: str = "",
) -> Liquidation:
    liquidation = _liquidation_build(
        actor=actor,
        commitment=commitment,
        amount=amount,
        date=date,
        act=act,
        reason=reason,
        payment_date=payment_date,
        description=description,
    )
    amount = liquidation.amount
    with transaction.atomic():
        _, locked = _lock_commitment(commitment, with_reservation=False)
        _check_published(locked)
        _check_to_liquidate(locked, amount, ERROR_COMMITMENT_EXCEEDED)
        liquidation.save()
        Commitment.objects.filter(pk=locked.pk).update(liquidated_total=_plus("liquidated_total", amount))
        audit_record_many(
            [
                AuditEntry(
                    action="ledger.liquidation.created",
                    actor=actor,
                    organisation=locked.beneficiary,
                    target=liquidation,
                    after=snapshot(liquidation, LIQUIDATION_FIELDS),
                )
            ]
        )
    return liquidation


def _economy_build(
    *, actor: User | None, commitment: Commitment, amount, date: datetime.date, act: Act, description: str
) -> Economy:
    _require(actor)
    amount = clean_amount(amount)
    _check_dates(act=act, date=date, follows=commitment)
    economy = Economy(
        commitment=commitment,
        amount=amount,
        date=date,
        act_type=act.type,
        act_number=act.number,
        act_date=act.date,
        description=description,
        created_by=actor,
    )
    _validated(economy, exclude=["commitment"])
    return economy


def economy_preview(
    *,
    actor: User | None,
    commitment: Commitment,
    amount,
    date: datetime.date,
    act: Act,
    description: str = "",
    cancel: bool = False,
) -> Preview:
    """An economy lowers what is left to liquidate and gives the same amount back to the reservation."""
    economy = _economy_build(
        actor=actor, commitment=commitment, amount=amount, date=date, act=act, description=description
    )
    current = Commitment.objects.select_related("reservation").get(pk=commitment.pk)
    _check_open(current)
    _check_to_liquidate(current, economy.amount, ERROR_ECONOMY_EXCEEDED)
    reservation = current.reservation
    return Preview(
        amount=economy.amount,
        figures=(
            Figure(
                LABEL_COMMITMENT_TO_LIQUIDATE, current.to_liquidate, current.to_liquidate - economy.amount
            ),
            Figure(
                LABEL_RESERVATION_AVAILABLE, reservation.available, reservation.available + economy.amount
            ),
        ),
        status_before=current.status if cancel else "",
        status_after=CommitmentStatus.CANCELLED if cancel else "",
    )


def economy_create(
    *,
    actor: User | None,
    commitment: Commitment,
    amount,
    date: datetime.date,
    act: Act,
    description: str = "",
    cancel: bool = False,
) -> Economy:
    """Give unspent commitment back to its reservation. cancel=True also marks the commitment cancelled."""
    economy = _economy_build(
        actor=actor, commitment=commitment, amount=amount, date=date, act=act, description=description
    )
    amount = economy.amount
    with transaction.atomic():
        reservation, locked = _lock_commitment(commitment, with_reservation=True)
        _check_to_liquidate(locked, amount, ERROR_ECONOMY_EXCEEDED)
        economy.save()
        changes = {"economies_total": _plus("economies_total", amount)}
        if cancel:
            changes["status"] = CommitmentStatus.CANCELLED
        Commitment.objects.filter(pk=locked.pk).update(**changes)
        Reservation.objects.filter(pk=reservation.pk).update(economies_total=_plus("economies_total", amount))
        audit_record_many(
            [
                AuditEntry(
                    action="ledger.economy.created",
                    actor=actor,
                    organisation=locked.beneficiary,
                    target=economy,
                    after={**snapshot(economy, ECONOMY_FIELDS), "cancels_commitment": cancel},
                )
            ]
        )
    return economy


def _remainder(commitment: Commitment) -> Decimal:
    """What a cancellation returns: everything not yet liquidated nor already returned."""
    _check_open(commitment)
    if commitment.to_liquidate <= ZERO:
        raise ValidationError(ERROR_NOTHING_TO_CANCEL, code="nothing_to_cancel")
    return commitment.to_liquidate


def commitment_cancel_preview(
    *, actor: User | None, commitment: Commitment, date: datetime.date, act: Act, description: str = ""
) -> Preview:
    _require(actor)
    current = Commitment.objects.get(pk=commitment.pk)
    return economy_preview(
        actor=actor,
        commitment=current,
        amount=_remainder(current),
        date=date,
        act=act,
        description=description,
        cancel=True,
    )


def commitment_cancel(
    *, actor: User | None, commitment: Commitment, date: datetime.date, act: Act, description: str = ""
) -> Economy:
    """Cancel what is left of a commitment: an economy of the whole remainder."""
    _require(actor)
    commitment.refresh_from_db()
    return economy_create(
        actor=actor,
        commitment=commitment,
        amount=_remainder(commitment),
        date=date,
        act=act,
        description=description,
        cancel=True,
    )
