"""Formatting at the edge (templates, PDF, e-mails): money and dates in the active language."""

from decimal import Decimal

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
