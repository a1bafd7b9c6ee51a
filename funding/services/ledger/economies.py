"""Economies: unspent commitment given back to its reservation; the cancellation of a commitment is
an economy of its whole remainder."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

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
    _lock_commitment,
    _plus,
    _require,
    _validated,
)
from funding.services.ledger.liquidations import _check_to_liquidate
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.constants import ZERO
from portal.models import User
from portal.money import clean_amount


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
