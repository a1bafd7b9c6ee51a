"""The one money field of every API serializer: a plain decimal in euros to the cent ("1234.56"),
never a float, never localised (the HTML forms read "1.234,56" with portal.formfields.AmountField).
Whether an amount may be zero or must be positive is the service's rule (portal.money.clean_amount)."""

from rest_framework import serializers

from portal.constants import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class AmountField(serializers.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        super().__init__(**kwargs)
