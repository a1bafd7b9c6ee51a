"""Formatting at the edge (templates, PDF, e-mails): money and dates in the active language."""

import functools
from decimal import ROUND_HALF_UP, Context, Decimal, getcontext, localcontext

from django.utils import formats, translation

from portal.money import quantize_money


def format_money(value, *, language: str | None = None, symbol: bool = True) -> str:
    if value is None or value == "":
        return ""
    amount = quantize_money(Decimal(value))
    language = language or translation.get_language() or "it"
    sign = "-" if amount < 0 else ""
    integer, cents = f"{abs(amount):.2f}".split(".")
    groups = f"{int(integer):,}"
    if language.startswith("it"):
        text = f"{groups.replace(',', '.')},{cents}"
        return f"{sign}€ {text}" if symbol else f"{sign}{text}"
    text = f"{groups}.{cents}"
    return f"{sign}€{text}" if symbol else f"{sign}{text}"


def format_date(value) -> str:
    """A date as the active language writes it (23/04/2020 in Italian): never a fixed order in code."""
    if not value:
        return ""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@functools.lru_cache(maxsize=16)
def _separators(language: str) -> dict[int, str]:
    """str.translate's table from the format's separators (",", ".") to the language's."""
    return {
        44: formats.get_format("THOUSAND_SEPARATOR", language),
        46: formats.get_format("DECIMAL_SEPARATOR", language),
    }


def format_number(
    value, places: int | None, *, integer_bare: bool = False, language: str | None = None
) -> str:
    """A number as {{ value|floatformat:"<places>g" }} writes it ("-<places>g" with `integer_bare`: no
    decimals for a whole number; every decimal it has with `places` None, as number_format with
    force_grouping), in a fraction of their time: grouped thousands, rounded half up, the separators
    of the active language (1.234,50 in Italian). For pages that write hundreds of them."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    _sign, digits, exponent = value.as_tuple()
    decimals = -exponent if isinstance(exponent, int) else 0
    if places is None:
        places = max(0, decimals)
    if integer_bare and value == value.to_integral_value():
        places = 0
    separators = _separators(language or translation.get_language() or "it")
    if decimals <= places and len(digits) + places - decimals <= getcontext().prec:
        # Nothing to round (and every digit within the context's precision, which formatting applies):
        # the number is written as it is, with zeros added to `places`.
        text = f"{abs(value):,.{places}f}".translate(separators)
        return f"-{text}" if value < 0 else text
    # Enough precision for every digit of the number and of the places: no rounding but the one asked.
    context = Context(prec=len(digits) + places + 2)
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, context)
    with localcontext(context):
        text = f"{abs(rounded):,.{places}f}".translate(separators)
    return f"-{text}" if rounded < 0 else text
