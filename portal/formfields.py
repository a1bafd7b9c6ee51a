"""The one money field of every HTML form: an amount in euros typed as a person types it in the
active language ("1.650.000,00" in Italian, "1,650,000.00" in English, "€" allowed), to the cent.

The API keeps plain decimals (portal.api.fields.AmountField): only HTML forms read the localised text;
both read and round through portal.money.
`portal.fields.MoneyField.formfield()` returns this field, so every ModelForm gets it too.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.constants import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from portal.formatting import format_money
from portal.money import ERROR_AMOUNT_CENTS, ERROR_AMOUNT_FORMAT, ERROR_AMOUNT_TOO_LARGE, parse_amount

MAX_LENGTH = 24


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
