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
    return rule_words(row.rule, row.rule_params)


def rule_words(rule: str, rule_params: dict | None) -> str:
    """rule_text of a row read as values (the allocation page): its rule and its parameters."""
    language = translation.get_language() or "it"  # once a row, not once a number
    params = {
        key: _localise(value, language) if value else value for key, value in (rule_params or {}).items()
    }
    try:
        return gettext(rule) % params
    except (KeyError, ValueError, TypeError):
        return rule


def rule_text_in(row: AllocationRow, language: str) -> str:
    with translation.override(language):
        return rule_text(row)
