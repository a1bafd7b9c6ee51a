"""The one money field of every HTML form: an amount in euros typed as a person types it in the
active language ("1.650.000,00" in Italian, "1,650,000.00" in English, "€" allowed), to the cent.

The API keeps plain decimals (DRF's DecimalField): only HTML forms read the localised text.
`portal.fields.MoneyField.formfield()` returns this field, so every ModelForm gets it too.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.constants import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from portal.formatting import format_money

ERROR_AMOUNT_FORMAT = _("Enter an amount in euros, e.g. 1.234,56.")
ERROR_AMOUNT_CENTS = _("The amount must have at most two decimals (cents).")
ERROR_AMOUNT_TOO_LARGE = _("The amount is too large.")
MAX_LENGTH = 24

# "1.650.000" in Italian, "1,650,000" in English: groups of three after the first one to three digits.
_GROUPED = {".": re.compile(r"^-?\d{1,3}(\.\d{3})+$"), ",": re.compile(r"^-?\d{1,3}(,\d{3})+$")}


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


class AmountField(forms.CharField):
    """An amount in euros to the cent, typed in the user's language. Whether it may be zero or must be
    positive is the service's rule (it names the field); the format, the cents and the size are here."""

    def __init__(self, *, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs):
        kwargs.setdefault("label", _("Amount (€)"))
        kwargs.pop("max_length", None)
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        kwargs.pop("step_size", None)
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": MAX_LENGTH}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        """A stored amount is shown as the user types it: "1.234,56" in Italian."""
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_money(value, symbol=False)
        return value

    def to_python(self, value):
        if isinstance(value, Decimal):
            text = str(value)
        else:
            text = super().to_python(value)
            if text in self.empty_values:
                return None
            if len(text) > MAX_LENGTH:
                raise ValidationError(ERROR_AMOUNT_FORMAT, code="invalid")
        amount = value if isinstance(value, Decimal) else parse_amount(text)
        if amount != amount.quantize(Decimal(1).scaleb(-self.decimal_places)):
            raise ValidationError(ERROR_AMOUNT_CENTS, code="cents")
        amount = amount.quantize(Decimal(1).scaleb(-self.decimal_places))
        if len(amount.as_tuple().digits) > self.max_digits:
            raise ValidationError(ERROR_AMOUNT_TOO_LARGE, code="too_large")
        return amount
