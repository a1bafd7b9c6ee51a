from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from portal.formatting import format_money

register = template.Library()


@register.filter
def amount(value):
    """An amount without the € sign (tables whose caption says the unit)."""
    return format_money(value, symbol=False)


@register.filter
def minus(value, other):
    return (value or 0) - (other or 0)


@register.simple_tag
def deliverable_status(deliverable, late) -> str:
    """A deliverable's status as a badge, and a second one when it is overdue. A tag, not an
    {% include %}: the deliverable register and a project's page render one on each row."""
    if deliverable.status == "accepted":
        colour = "bg-success"
    elif deliverable.status == "submitted":
        colour = "bg-primary"
    else:
        colour = "bg-danger" if late else "bg-secondary"
    badge = format_html('<span class="badge {}">{}</span>', colour, deliverable.get_status_display())
    if late:
        return format_html('{} <span class="badge bg-danger">{}</span>', badge, gettext("Overdue"))
    return badge
