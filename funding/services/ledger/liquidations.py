"""Liquidations: the payable amount of a commitment, once its grant is published (art. 26 c. 3)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

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
    _check_open,
    _lock_commitment,
    _plus,
    _refuse,
    _require,
    _validated,
)
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.models import User
from portal.money import clean_amount


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
