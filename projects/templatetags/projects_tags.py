from django import template

from portal.formatting import format_money

register = template.Library()


@register.filter
def amount(value):
    """An amount without the € sign (tables whose caption says the unit)."""
    return format_money(value, symbol=False)


@register.filter
def minus(value, other):
    return (value or 0) - (other or 0)
