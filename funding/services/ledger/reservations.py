"""Reservations (prenotazioni): money of a chapter set aside for an action of the programme."""

from decimal import Decimal
from typing import NotRequired, TypedDict, Unpack

from django.core.exceptions import ValidationError

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
    _current,
    _entry,
    _plus,
    _refuse,
    _require,
    _writing,
)
from portal.audit import audit_record, snapshot
from portal.models import User
from portal.money import clean_amount


class ReservationArgs(TypedDict):
    """What reservation_preview and reservation_create take, by keyword."""

    actor: User | None
    action: Action
    chapter: BudgetChapter
    amount: Decimal | str
    act: Act
    description: NotRequired[str]


def _check_chapter(chapter: BudgetChapter, amount: Decimal) -> None:
    if amount > chapter.unreserved:
        raise _refuse(
            ERROR_CHAPTER_EXCEEDED,
            "amount",
            available=chapter.unreserved,
            requested=amount,
            chapter=str(chapter),
        )


def _reservation(
    *,
    write: bool,
    actor: User | None,
    action: Action,
    chapter: BudgetChapter,
    amount,
    act: Act,
    description: str = "",
) -> tuple[Reservation, Preview]:
    """The one reservation, checked against the chapter as it is now (see the package's docstring)."""
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
    reservation = _entry(
        Reservation,
        actor=actor,
        act=act,
        exclude=["chapter", "action"],
        action=action,
        chapter=chapter,
        amount=amount,
        description=description,
    )
    with _writing(write):
        current = _current(BudgetChapter, chapter.pk, lock=write)
        _check_chapter(current, amount)
        preview = Preview(
            amount=amount,
            figures=(Figure(LABEL_CHAPTER_AVAILABLE, current.unreserved, current.unreserved - amount),),
        )
        if write:
            reservation.save()
            BudgetChapter.objects.filter(pk=current.pk).update(reserved_total=_plus("reserved_total", amount))
            audit_record(
                action="ledger.reservation.created",
                actor=actor,
                target=reservation,
                after=snapshot(reservation, RESERVATION_FIELDS),
            )
    return reservation, preview


def reservation_preview(**kwargs: Unpack[ReservationArgs]) -> Preview:
    """What reservation_create would leave available on the chapter; writes nothing."""
    return _reservation(write=False, **kwargs)[1]


def reservation_create(**kwargs: Unpack[ReservationArgs]) -> Reservation:
    return _reservation(write=True, **kwargs)[0]
