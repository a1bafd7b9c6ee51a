"""Model fields with the house conventions set once."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from portal.constants import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, ZERO
from portal.money import quantize_money


class MoneyField(models.DecimalField):
    """Euros to the cent. Positive amounts get a DB check constraint on the model, not here.

    Every value read through this field comes back as a Decimal to the cent, whether a column or
    an expression whose output field it is (Sum, Coalesce, F() arithmetic): SQLite adds decimals as
    floats, so a sum of 1,181 amounts arrives as 499999.880000001 there; PostgreSQL is exact already.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        amount = quantize_money(value)
        return amount if amount else ZERO  # float residue can leave a -0.00 behind

    def formfield(self, **kwargs):
        """HTML forms read the amount as typed in the user's language (portal.formfields.AmountField)."""
        from portal.formfields import AmountField  # forms import models: import here, not at the top

        return super().formfield(**{"form_class": AmountField, **kwargs})

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "portal.fields.MoneyField"
        return name, path, args, kwargs


def positive_money_validators():
    return [MinValueValidator(Decimal("0.01"))]
