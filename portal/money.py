"""Money, in one module: read an amount as a person types it, clean an amount a service receives,
round to the cent. Decimal to the cent, never float.

The HTML forms read amounts with `portal.formfields.AmountField` (which calls `parse_amount`), the
API with `portal.api.fields.AmountField`; the services clean what they receive with `clean_amount`,
whose message names the field.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.constants import CENT, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, MONEY_ROUNDING, ZERO

ERROR_AMOUNT_NOT_POSITIVE = _("The amount must be greater than zero.")
ERROR_AMOUNT_NEGATIVE = _("The amount cannot be negative.")
ERROR_AMOUNT_CENTS = _("The amount must have at most two decimals (cents).")
ERROR_AMOUNT_INVALID = _("Enter an amount in euros, e.g. 1234.56.")
ERROR_AMOUNT_FORMAT = _("Enter an amount in euros, e.g. 1.234,56.")
ERROR_AMOUNT_TOO_LARGE = _("The amount is too large.")

# "1.650.000" in Italian, "1,650,000" in English: groups of three after the first one to three digits.
_GROUPED = {".": re.compile(r"^-?\d{1,3}(\.\d{3})+$"), ",": re.compile(r"^-?\d{1,3}(,\d{3})+$")}


def quantize_money(value: Decimal) -> Decimal:
    """Round a Decimal to the cent with the house rounding mode."""
    return Decimal(value).quantize(CENT, rounding=MONEY_ROUNDING)


def parse_amount(text: str, *, language: str | None = None) -> Decimal:
    """Read an amount as a person types it: "1.650.000,00" or "1650000,00" in Italian, "1,650,000.00" in
    English, with or without "€". Where both separators appear the last one marks the cents."""
    value = re.sub(r"[\s\u00a0€]", "", text or "")
    language = language or translation.get_language() or "it"
    decimal_mark = "," if language.startswith("it") else "."
    group_mark = "." if decimal_mark == "," else ","
    if "." in value and "," in value:
        decimal_mark = "," if value.rindex(",") > value.rindex(".") else "."
        value = value.replace("." if decimal_mark == "," else ",", "")
    elif group_mark in value and _GROUPED[group_mark].match(value):
        value = value.replace(group_mark, "")
    value = value.replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValidationError(ERROR_AMOUNT_FORMAT, code="invalid") from exc
    if not amount.is_finite():
        raise ValidationError(ERROR_AMOUNT_FORMAT, code="invalid")
    return amount


def clean_amount(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """Return `value` as a Decimal with two places, or raise ValidationError on `field`.

    Positive unless `allow_zero` (then zero is 0.00 and only a negative amount is refused); at most two
    decimals; at most MONEY_MAX_DIGITS digits; a float or a boolean is refused, never rounded."""
    if isinstance(value, float | bool):
        raise ValidationError({field: ERROR_AMOUNT_INVALID}, code="invalid")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: ERROR_AMOUNT_INVALID}, code="invalid") from exc
    if not amount.is_finite():
        raise ValidationError({field: ERROR_AMOUNT_INVALID}, code="invalid")
    if allow_zero and amount < 0:
        raise ValidationError({field: ERROR_AMOUNT_NEGATIVE}, code="negative")
    if allow_zero and amount == 0:
        return ZERO
    if amount <= 0:
        raise ValidationError({field: ERROR_AMOUNT_NOT_POSITIVE}, code="not_positive")
    if amount.as_tuple().exponent < -MONEY_DECIMAL_PLACES and amount != amount.quantize(CENT):
        raise ValidationError({field: ERROR_AMOUNT_CENTS}, code="cents")
    amount = amount.quantize(CENT)
    if len(amount.as_tuple().digits) > MONEY_MAX_DIGITS:
        raise ValidationError({field: ERROR_AMOUNT_TOO_LARGE}, code="too_large")
    return amount
