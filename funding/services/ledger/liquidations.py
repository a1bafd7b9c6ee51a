"""Liquidations: the payable amount of a commitment, once its grant is published (art. 26 c. 3)."""

import datetime
from decimal import Decimal
from typing import NotRequired, TypedDict, Unpack

from django.core.exceptions import ValidationError

from funding.choices import LiquidationReason
from funding.models import Commitment, Liquidation
from funding.selectors.transparency import awaits_publication
from funding.services.ledger.common import (
    ERROR_COMMITMENT_EXCEEDED,
    ERROR_LIQUIDATION_DATE_FUTURE,
    ERROR_NOT_PUBLISHED,
    LABEL_COMMITMENT_TO_LIQUIDATE,
    LIQUIDATION_FIELDS,
    Act,
    Figure,
    Preview,
    _check_dates,
    _commitment_row,
    _entry,
    _plus,
    _refuse,
    _require,
    _writing,
)
from portal.audit import audit_record, snapshot
from portal.models import User
from portal.money import clean_amount


class LiquidationArgs(TypedDict):
    """What liquidation_preview and liquidation_create take, by keyword."""

    actor: User | None
    commitment: Commitment
    amount: Decimal | str
    date: datetime.date
    act: Act
    reason: NotRequired[str]
    payment_date: NotRequired[datetime.date | None]
    description: NotRequired[str]


def _check_published(commitment: Commitment) -> None:
    if awaits_publication(commitment):
        raise ValidationError(ERROR_NOT_PUBLISHED, code="unpublished")


def _check_to_liquidate(commitment: Commitment, amount: Decimal, message) -> None:
    if amount > commitment.to_liquidate:
        raise _refuse(message, "amount", available=commitment.to_liquidate, requested=amount)


def _liquidation(
    *,
    write: bool,
    actor: User | None,
    commitment: Commitment,
    amount,
    date: datetime.date,
    act: Act,
    reason: str = LiquidationReason.BALANCE,
    payment_date: datetime.date | None = None,
    description: str = "",
) -> tuple[Liquidation, Preview]:
    """The one liquidation, checked against the commitment as it is now (see the package's docstring)."""
    _require(actor)
    amount = clean_amount(amount)
    _check_dates(
        act=act,
        date=date,
        date_future=ERROR_LIQUIDATION_DATE_FUTURE,
        payment_date=payment_date,
        follows=commitment,
    )
    liquidation = _entry(
        Liquidation,
        actor=actor,
        act=act,
        exclude=["commitment"],
        commitment=commitment,
        amount=amount,
        date=date,
        reason=reason,
        payment_date=payment_date,
        description=description,
    )
    with _writing(write):
        _, current = _commitment_row(commitment, lock=write, with_reservation=False)
        _check_published(current)
        _check_to_liquidate(current, amount, ERROR_COMMITMENT_EXCEEDED)
        preview = Preview(
            amount=amount,
            figures=(
                Figure(LABEL_COMMITMENT_TO_LIQUIDATE, current.to_liquidate, current.to_liquidate - amount),
            ),
        )
        if write:
            liquidation.save()
            Commitment.objects.filter(pk=current.pk).update(
                liquidated_total=_plus("liquidated_total", amount)
            )
            audit_record(
                action="ledger.liquidation.created",
                actor=actor,
                organisation=current.beneficiary,
                target=liquidation,
                after=snapshot(liquidation, LIQUIDATION_FIELDS),
            )
    return liquidation, preview


def liquidation_preview(**kwargs: Unpack[LiquidationArgs]) -> Preview:
    """What liquidation_create would leave to liquidate on the commitment; writes nothing."""
    return _liquidation(write=False, **kwargs)[1]


def liquidation_create(**kwargs: Unpack[LiquidationArgs]) -> Liquidation:
    return _liquidation(write=True, **kwargs)[0]
