"""From money to hardware: what a call requires, and how many devices each invoice line bought.

The beneficiary declares, on its expense report, how many devices an invoice line bought and
registers them (model and serials) on that line; a call whose rule requires it cannot have a report
verified until the registered devices cover the invoiced quantity (inventory.hooks).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import DeviceKind
from inventory.models.devices import DeviceModel
from portal.models.base import TimeStampedModel


class CallDeviceRule(TimeStampedModel):
    """A call that funds devices: which kind, and whether verification waits for the serials."""

    call = models.OneToOneField(
        "funding.Call", on_delete=models.CASCADE, related_name="device_rule", verbose_name=_("call")
    )
    kind = models.CharField(_("kind of device funded"), max_length=16, choices=DeviceKind.choices)
    require_coverage = models.BooleanField(
        _("devices must cover the invoiced quantity before verification"), default=True
    )

    class Meta:
        verbose_name = _("devices rule of a call")
        verbose_name_plural = _("devices rules of calls")

    def __str__(self) -> str:
        return f"{self.call} · {self.get_kind_display()}"


class InvoicedDevices(TimeStampedModel):
    """How many devices of which model an invoice line of an expense report bought."""

    expense_line = models.OneToOneField(
        "funding.ExpenseLine",
        on_delete=models.CASCADE,
        related_name="invoiced_devices",
        verbose_name=_("invoice line"),
    )
    model = models.ForeignKey(
        DeviceModel, on_delete=models.PROTECT, related_name="+", verbose_name=_("model")
    )
    quantity = models.PositiveIntegerField(_("quantity invoiced"))

    class Meta:
        verbose_name = _("devices of an invoice line")
        verbose_name_plural = _("devices of invoice lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="%(app_label)s_%(class)s_quantity_positive",
                violation_error_message=_("An invoice line buys at least one device."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.model}"
