"""Validating amounts: Decimal to the cent, positive, never float."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.constants import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

ERROR_AMOUNT_NOT_POSITIVE = _("The amount must be greater than zero.")
ERROR_AMOUNT_CENTS = _("The amount must have at most two decimals (cents).")
ERROR_AMOUNT_INVALID = _("Enter an amount in euros, e.g. 1234.56.")
ERROR_AMOUNT_TOO_LARGE = _("The amount is too large.")


def clean_amount(value, *, field: str = "amount") -> Decimal:
    """Return `value` as a Decimal with two places, or raise ValidationError on `field`."""
    if isinstance(value, float | bool):
        raise ValidationError({field: ERROR_AMOUNT_INVALID}, code="invalid")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: ERROR_AMOUNT_INVALID}, code="invalid") from exc
    if not amount.is_finite():
        raise ValidationError({field: ERROR_AMOUNT_INVALID}, code="invalid")
    if amount <= 0:
        raise ValidationError({field: ERROR_AMOUNT_NOT_POSITIVE}, code="not_positive")
    if amount.as_tuple().exponent < -MONEY_DECIMAL_PLACES and amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: ERROR_AMOUNT_CENTS}, code="cents")
    amount = amount.quantize(Decimal("0.01"))
    if len(amount.as_tuple().digits) > MONEY_MAX_DIGITS:
        raise ValidationError({field: ERROR_AMOUNT_TOO_LARGE}, code="too_large")
    return amount
