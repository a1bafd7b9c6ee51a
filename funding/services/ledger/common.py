"""What every ledger write shares: the messages, the act, the date checks, the preview's figures,
the locks and the running totals moved with F().

Each operation is computed once, by a private function that takes `write`: a preview (write=False)
reads the current rows and writes nothing; the create (write=True) runs the same checks on the rows
it locks, then saves, moves the running totals and audits in the same transaction."""

import contextlib
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

from funding.choices import ActType, CommitmentStatus
from funding.models import Commitment, Reservation
from portal.constants import MONEY_DECIMAL_PLACES
from portal.formatting import format_money
from portal.models import User
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

    def columns(self) -> dict:
        """The act as an entry's columns."""
        return {"act_type": self.type, "act_number": self.number, "act_date": self.date}


def _entry(model, *, actor: User | None, act: Act, exclude: list[str], **fields):
    """An unsaved ledger entry made by `actor` under `act`, its fields validated (the rows it points
    to, named in `exclude`, are the caller's; the constraints are the database's)."""
    entry = model(**fields, **act.columns(), created_by=actor)
    _validated(entry, exclude=exclude)
    return entry


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


def _check_open(commitment: Commitment) -> None:
    if commitment.status == CommitmentStatus.CANCELLED:
        raise ValidationError(ERROR_COMMITMENT_CANCELLED, code="cancelled")


def _writing(write: bool):
    """The create's transaction, which holds its row locks until the entry is saved and audited; a
    preview opens none."""
    return transaction.atomic() if write else contextlib.nullcontext()


def _current(model, pk: int, *, lock: bool):
    """The row as it is now: read for a preview, locked for a create."""
    return (model.objects.select_for_update() if lock else model.objects).get(pk=pk)


def _commitment_row(
    commitment: Commitment, *, lock: bool, with_reservation: bool
) -> tuple[Reservation | None, Commitment]:
    """The commitment as it is now, refused if cancelled: read for a preview, locked (its reservation
    first, when the operation moves the reservation too) for a create."""
    if not lock:
        rows = Commitment.objects.select_related("reservation") if with_reservation else Commitment.objects
        current = rows.get(pk=commitment.pk)
        _check_open(current)
        return (current.reservation if with_reservation else None), current
    reservation = None
    if with_reservation:
        reservation = Reservation.objects.select_for_update().get(pk=commitment.reservation_id)
    locked = (
        Commitment.objects.select_for_update(of=("self",)).select_related("beneficiary").get(pk=commitment.pk)
    )
    _check_open(locked)
    return reservation, locked


def commitment_is_live(commitment: Commitment) -> bool:
    """Not cancelled, and money still to liquidate: what cancelling or closing a grant needs."""
    return commitment.status != CommitmentStatus.CANCELLED and commitment.to_liquidate > 0


# What each ledger operation takes besides the act, by name: a form and a serializer parse these and
# hand them over as they are (operation_kwargs), whichever of them they hold (a page takes the chapter,
# reservation or commitment from its URL).
RESERVATION_INPUT = ("action", "chapter", "amount", "description")
COMMITMENT_INPUT = ("reservation", "beneficiary", "amount", "cup", "description")
LIQUIDATION_INPUT = ("commitment", "amount", "date", "reason", "payment_date", "description")
ECONOMY_INPUT = ("commitment", "amount", "date", "description")
CANCEL_INPUT = ("date", "description")


def operation_kwargs(data: dict, *, fields: tuple[str, ...]) -> dict:
    """A ledger service's keyword arguments from parsed input (a form's cleaned_data or a serializer's
    validated_data): the named fields it holds, and the act it names (act_type, act_number, act_date)."""
    act = Act(number=data["act_number"], date=data["act_date"], type=data["act_type"])
    return {**{name: data[name] for name in fields if name in data}, "act": act}
