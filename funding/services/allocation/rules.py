"""The rule applied to an allocation row, in words: the strategies store an English msgid and its
parameters; here it is translated and its numbers localised (only at the edge)."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext

from funding.models import AllocationRow
from portal.formatting import format_number


def _localise(value, language: str):
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return value
    # formats.number_format(number, force_grouping=True)
    return format_number(number, None, language=language)


def rule_text(row: AllocationRow) -> str:
    """The rule applied to a row, translated into the active language, its numbers localised."""
    language = translation.get_language() or "it"  # once a row, not once a number
    params = {
        key: _localise(value, language) if value else value for key, value in (row.rule_params or {}).items()
    }
    try:
        return gettext(row.rule) % params
    except (KeyError, ValueError, TypeError):
        return row.rule


def rule_text_in(row: AllocationRow, language: str) -> str:
    with translation.override(language):
        return rule_text(row)
