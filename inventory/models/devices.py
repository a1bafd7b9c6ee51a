"""Device models (make and model of a kind of hardware) and the funded devices themselves, with
the append-only history of their lifecycle.

A device's funding source says what paid for it: a grant (the commitment of a call's allocation
row or application), an EU project's equipment expenditure, or the owner's own funds. The grant's
commitment is a foreign key, so a device is claimed by one grant at most; the serial is unique per
model, so the same piece of hardware cannot be registered twice on two grants.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.choices import DeviceKind, DeviceStatus, FundingSource
from portal.fields import MoneyField
from portal.models.base import AppendOnlyModel, TimeStampedModel


class DeviceModel(TimeStampedModel):
    """A make and model of device, with the standards it conforms to (as the taxi call requires)."""

    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    name = models.CharField(_("model"), max_length=100)
    conformity_standards = models.CharField(
        _("conformity standards"),
        max_length=300,
        blank=True,
        help_text=_("CEI, UNI, EN references, separated by semicolons (e.g. CEI EN 50498)."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["manufacturer", "name"]
        verbose_name = _("device model")
        verbose_name_plural = _("device models")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This manufacturer already has a model with this name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.name}"


class Device(TimeStampedModel):
    owner = models.ForeignKey(
        "portal.Organisation", on_delete=models.PROTECT, related_name="devices", verbose_name=_("owner")
    )
    model = models.ForeignKey(
        DeviceModel, on_delete=models.PROTECT, related_name="devices", verbose_name=_("model")
    )
    serial_number = models.CharField(_("serial number"), max_length=100)
    asset_tag = models.CharField(_("asset tag"), max_length=50, unique=True, null=True, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    cost_net = MoneyField(_("cost, net of VAT"))
    cost_vat = MoneyField(_("VAT"))
    warranty_end = models.DateField(_("warranty until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_STOCK
    )
    funding_source = models.CharField(_("funding source"), max_length=16, choices=FundingSource.choices)
    commitment = models.ForeignKey(
        "funding.Commitment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("grant (commitment)"),
    )
    expense_line = models.ForeignKey(
        "funding.ExpenseLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("invoice line"),
    )
    # The EU project and its equipment line, as text until the projects app's expenditure lines can
    # be linked (a later migration adds that foreign key).
    eu_reference = models.CharField(_("EU project reference"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # When an analytics system last reported about the device (filled by the analytics app).
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        ordering = ["owner", "model", "serial_number"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(
                fields=["model", "serial_number"],
                name="%(app_label)s_%(class)s_unique_serial_per_model",
                violation_error_message=_(
                    "A device of this model with this serial number is already registered."
                ),
            ),
            models.CheckConstraint(
                condition=Q(cost_net__gte=0) & Q(cost_vat__gte=0),
                name="%(app_label)s_%(class)s_cost_not_negative",
                violation_error_message=_("Costs cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(Q(funding_source=FundingSource.GRANT) & Q(commitment__isnull=False))
                | (~Q(funding_source=FundingSource.GRANT) & Q(commitment__isnull=True)),
                name="%(app_label)s_%(class)s_grant_has_commitment",
                violation_error_message=_(
                    "A device funded by a grant needs the grant's commitment; other devices have none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(expense_line__isnull=True) | Q(commitment__isnull=False),
                name="%(app_label)s_%(class)s_invoice_line_of_a_grant",
                violation_error_message=_(
                    "Only a device funded by a grant is declared on an expense report."
                ),
            ),
            models.CheckConstraint(
                condition=Q(warranty_end__isnull=True)
                | Q(purchase_date__isnull=True)
                | Q(warranty_end__gte=F("purchase_date")),
                name="%(app_label)s_%(class)s_warranty_after_purchase",
                violation_error_message=_("The warranty cannot end before the purchase date."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "owner"], name="inventory_device_status_idx"),
            # On PostgreSQL migration 0004 adds a covering index for the funded-vs-deployed figures.
            models.Index(fields=["commitment", "status"], name="inventory_device_grant_idx"),
            models.Index(fields=["warranty_end"], name="inventory_device_warranty_idx"),
            # Analytics sources name a device by its serial within their organisation.
            models.Index(fields=["owner", "serial_number"], name="inventory_device_serial_idx"),
        ]

    def __str__(self) -> str:
        return self.asset_tag or f"{self.model} · {self.serial_number}"

    @property
    def cost_gross(self):
        return self.cost_net + self.cost_vat

    @property
    def is_final(self) -> bool:
        return self.status == DeviceStatus.DECOMMISSIONED


class DeviceStatusChange(AppendOnlyModel):
    """One step of a device's lifecycle: who, when, from, to, why. Written once, never changed."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(_("from"), max_length=16, choices=DeviceStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=DeviceStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["device", "changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")),
                name="%(app_label)s_%(class)s_changes_status",
                violation_error_message=_("A status change must change the status."),
            ),
        ]
        indexes = [models.Index(fields=["device", "changed_at"], name="inventory_history_device_idx")]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.from_status or '—'} → {self.to_status}"
