"""Model fields with the house conventions set once."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from portal.constants import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class MoneyField(models.DecimalField):
    """Euros to the cent. Positive amounts get a DB check constraint on the model, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "portal.fields.MoneyField"
        return name, path, args, kwargs


def positive_money_validators():
    return [MinValueValidator(Decimal("0.01"))]
