"""The inventory manager's work queue on the home page, and the device status badge."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from inventory.selectors import work_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def inventory_work_queue(context):
    queue = work_queue(user=context["request"].user)
    devices = reverse("inventory:device_list")
    queue["sections"] = [
        ("faulty", _("Faulty devices"), _("No faulty device."), f"{devices}?status=faulty"),
        (
            "maintenance",
            _("Under maintenance"),
            _("No device under maintenance."),
            f"{devices}?status=maintenance",
        ),
        ("ordered", _("Ordered, not yet received"), _("Nothing on order."), f"{devices}?status=ordered"),
        (
            "warranty",
            _("Warranty ending within 90 days"),
            _("No warranty is about to end."),
            f"{devices}?warranty=90",
        ),
        (
            "idle_grants",
            _("Grants paid more than 90 days ago with nothing deployed"),
            _("Every paid grant has deployed devices."),
            "",
        ),
    ]
    return queue


@register.filter
def get_section(queue, key):
    return queue[key]


@register.simple_tag
def device_status(status: str, label) -> str:
    """A device's status as a coloured badge. A tag, not an {% include %}: the device list renders one
    on each of its rows."""
    return format_html('<span class="badge inventory-status inventory-status-{}">{}</span>', status, label)
