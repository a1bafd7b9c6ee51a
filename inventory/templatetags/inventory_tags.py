"""The inventory manager's work queue on the home page, and the device status badge."""

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.selectors import work_queue
from portal.html import each_row, format_row, join_rows, row_url

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


def device_row(device) -> str:
    """One row of the device list (50 a page): its name and model, kind, owner, status, where it is
    deployed, how it was funded and its warranty."""
    deployed = (
        join_rows("", "{}", ((assignment.target_label,) for assignment in device.open_assignments)) or "—"
    )
    funding = (
        format_row("{} {}", gettext("Grant n."), device.commitment_id)
        if device.commitment_id
        else device.get_funding_source_display()
    )
    return format_row(
        "<tr>\n"
        '      <th scope="row"><a href="{}">{}</a><br><small>{}</small></th>\n'
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "    </tr>",
        row_url("inventory:device_detail", device.pk),
        device.asset_tag or device.serial_number,
        device.model,
        device.model.get_kind_display(),
        device.owner.name,
        device_status(device.status, device.get_status_display()),
        deployed,
        funding,
        date(device.warranty_end, "SHORT_DATE_FORMAT") or "—",
    )


@register.simple_tag
def device_rows(devices) -> str:
    """Every row of the device list's page, as device_row writes it: one tag (portal.html.each_row)."""
    return each_row(device_row, devices)
