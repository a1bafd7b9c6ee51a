"""Reservations (prenotazioni): money of a chapter set aside for an action of the programme."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from funding.models import Action, BudgetChapter, Reservation
from funding.services.ledger.common import (
    ERROR_ACTION_YEAR,
    ERROR_CHAPTER_EXCEEDED,
    LABEL_CHAPTER_AVAILABLE,
    RESERVATION_FIELDS,
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
from portal.models import User
from portal.money import clean_amount


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
