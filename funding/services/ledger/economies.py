"""Economies: unspent commitment given back to its reservation; the cancellation of a commitment is
an economy of its whole remainder."""

import datetime
from decimal import Decimal
from typing import NotRequired, TypedDict, Unpack

from django.core.exceptions import ValidationError

from funding.choices import CommitmentStatus
from funding.models import Commitment, Economy, Reservation
from funding.services.ledger.common import (
    ECONOMY_FIELDS,
    ERROR_ECONOMY_EXCEEDED,
    ERROR_NOTHING_TO_CANCEL,
    LABEL_COMMITMENT_TO_LIQUIDATE,
    LABEL_RESERVATION_AVAILABLE,
    Act,
    Figure,
    Preview,
    _check_dates,
    _check_open,
    _commitment_row,
    _entry,
    _plus,
    _require,
    _writing,
)
from funding.services.ledger.liquidations import _check_to_liquidate
from portal.audit import audit_record, snapshot
from portal.constants import ZERO
from portal.models import User
from portal.money import clean_amount


class EconomyArgs(TypedDict):
    """What economy_preview and economy_create take, by keyword."""

    actor: User | None
    commitment: Commitment
    amount: Decimal | str
    date: datetime.date
    act: Act
    description: NotRequired[str]
    cancel: NotRequired[bool]


class CancelArgs(TypedDict):
    """What commitment_cancel_preview and commitment_cancel take, by keyword: the amount is the remainder."""

    actor: User | None
    commitment: Commitment
    date: datetime.date
    act: Act
    description: NotRequired[str]


def _economy(
    *,
    write: bool,
    actor: User | None,
    commitment: Commitment,
    amount,
    date: datetime.date,
    act: Act,
    description: str = "",
    cancel: bool = False,
) -> tuple[Economy, Preview]:
    """The one economy, checked against the commitment as it is now (see the package's docstring): it
    lowers what is left to liquidate and gives the same amount back to the reservation; cancel=True
    also marks the commitment cancelled."""
    _require(actor)
    amount = clean_amount(amount)
    _check_dates(act=act, date=date, follows=commitment)
    economy = _entry(
        Economy,
        actor=actor,
        act=act,
        exclude=["commitment"],
        commitment=commitment,
        amount=amount,
        date=date,
        description=description,
    )
    with _writing(write):
        reservation, current = _commitment_row(commitment, lock=write, with_reservation=True)
        _check_to_liquidate(current, amount, ERROR_ECONOMY_EXCEEDED)
        preview = Preview(
            amount=amount,
            figures=(
                Figure(LABEL_COMMITMENT_TO_LIQUIDATE, current.to_liquidate, current.to_liquidate - amount),
                Figure(LABEL_RESERVATION_AVAILABLE, reservation.available, reservation.available + amount),
            ),
            status_before=current.status if cancel else "",
            status_after=CommitmentStatus.CANCELLED if cancel else "",
        )
        if write:
            economy.save()
            changes = {"economies_total": _plus("economies_total", amount)}
            if cancel:
                changes["status"] = CommitmentStatus.CANCELLED
            Commitment.objects.filter(pk=current.pk).update(**changes)
            Reservation.objects.filter(pk=reservation.pk).update(
                economies_total=_plus("economies_total", amount)
            )
            audit_record(
                action="ledger.economy.created",
                actor=actor,
                organisation=current.beneficiary,
                target=economy,
                after={**snapshot(economy, ECONOMY_FIELDS), "cancels_commitment": cancel},
            )
    return economy, preview


def economy_preview(**kwargs: Unpack[EconomyArgs]) -> Preview:
    """What economy_create would leave to liquidate and available on the reservation; writes nothing."""
    return _economy(write=False, **kwargs)[1]


def economy_create(**kwargs: Unpack[EconomyArgs]) -> Economy:
    """Give unspent commitment back to its reservation. cancel=True also marks the commitment cancelled."""
    return _economy(write=True, **kwargs)[0]


def _remainder(commitment: Commitment) -> Decimal:
    """What a cancellation returns: everything not yet liquidated nor already returned."""
    _check_open(commitment)
    if commitment.to_liquidate <= ZERO:
        raise ValidationError(ERROR_NOTHING_TO_CANCEL, code="nothing_to_cancel")
    return commitment.to_liquidate


def _cancel(
    *,
    write: bool,
    actor: User | None,
    commitment: Commitment,
    date: datetime.date,
    act: Act,
    description: str = "",
) -> tuple[Economy, Preview]:
    """An economy of the whole remainder, as read now; the create checks it again under its locks."""
    _require(actor)
    if write:
        commitment.refresh_from_db()
        current = commitment
    else:
        current = Commitment.objects.get(pk=commitment.pk)
    return _economy(
        write=write,
        actor=actor,
        commitment=current,
        amount=_remainder(current),
        date=date,
        act=act,
        description=description,
        cancel=True,
    )


def commitment_cancel_preview(**kwargs: Unpack[CancelArgs]) -> Preview:
    """What commitment_cancel would return to the reservation; writes nothing."""
    return _cancel(write=False, **kwargs)[1]


def commitment_cancel(**kwargs: Unpack[CancelArgs]) -> Economy:
    """Cancel what is left of a commitment: an economy of the whole remainder."""
    return _cancel(write=True, **kwargs)[0]
