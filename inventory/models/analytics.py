"""Analytics output of funded devices: the external systems that report (sources) with their API
keys, the events they post (metadata only, never images, plates or people) and the daily figures
kept after the events themselves are deleted.

On PostgreSQL the events table is partitioned by month of `occurred_at` (migration 0005 creates it by
hand; inventory.services.partitions creates the months ahead and drops the old ones): a partitioned
table's unique keys must hold the partition column, so idempotency is the unique key (source,
event id, occurred_at) plus a look-up of the event id by the ingestion service.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import EventKind, EventSeverity
from portal.models.base import TimeStampedModel


class AnalyticsSource(TimeStampedModel):
    """A control room's or a vendor's video-analytics platform, or a taxi recorders' gateway."""

    owner = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="analytics_sources",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # Addresses or networks (CIDR) the source may post from, one per line; empty: any address.
    ip_allowlist = models.TextField(_("allowed addresses"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["owner", "name"]
        verbose_name = _("analytics source")
        verbose_name_plural = _("analytics sources")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "This organisation already has an analytics source with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def allowed_networks(self) -> list[str]:
        return [line.strip() for line in self.ip_allowlist.splitlines() if line.strip()]


class SourceKey(models.Model):
    """An API key of a source, stored as its SHA-256 only (the key is shown once, at creation).
    After a rotation the previous key keeps working until `expires_at` (the overlap)."""

    source = models.ForeignKey(AnalyticsSource, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    digest = models.CharField(_("SHA-256 of the key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["source", "-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class AnalyticsEvent(models.Model):
    """One event as the source described it, in the vocabulary of inventory.choices.EventKind."""

    id = models.BigAutoField(primary_key=True)
    source = models.ForeignKey(AnalyticsSource, on_delete=models.PROTECT, related_name="+")
    event_id = models.UUIDField(_("event id"))
    device = models.ForeignKey(
        "inventory.Device", on_delete=models.PROTECT, related_name="+", verbose_name=_("device")
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"))
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=EventSeverity.choices)
    value = models.FloatField(_("value"), null=True, blank=True)
    zone = models.CharField(_("zone or rule"), max_length=100, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("analytics event")
        verbose_name_plural = _("analytics events")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "event_id", "occurred_at"],
                name="%(app_label)s_%(class)s_once_per_source",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | (Q(confidence__gte=0) & Q(confidence__lte=1)),
                name="%(app_label)s_%(class)s_confidence_0_1",
            ),
        ]
        indexes = [models.Index(fields=["device", "occurred_at"], name="inventory_event_device_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class DeviceDailyStat(models.Model):
    """Events of one kind on one device on one day (Europe/Rome): kept as statistics after the raw
    events are deleted. The mean is value_sum / value_count."""

    device = models.ForeignKey("inventory.Device", on_delete=models.PROTECT, related_name="daily_stats")
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("events"), default=0)
    value_count = models.PositiveIntegerField(_("events with a value"), default=0)
    value_sum = models.FloatField(_("sum of the values"), default=0)
    value_max = models.FloatField(_("largest value"), null=True, blank=True)

    class Meta:
        ordering = ["device", "day", "kind"]
        verbose_name = _("daily analytics figure")
        verbose_name_plural = _("daily analytics figures")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "kind", "day"], name="%(app_label)s_%(class)s_one_per_day"
            ),
        ]
        indexes = [models.Index(fields=["day", "device"], name="inventory_dailystat_day_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.day}: {self.count}"

    @property
    def value_mean(self) -> float | None:
        return self.value_sum / self.value_count if self.value_count else None


class AnalyticsRule(TimeStampedModel):
    """A threshold on a source's events, optionally at one site: a value above `threshold` (crowd
    density above X), or more than `min_count` events of the kind within an hour. Each episode (the
    condition holding, with no gap of an hour) notifies the owner's inventory managers once."""

    source = models.ForeignKey(AnalyticsSource, on_delete=models.CASCADE, related_name="rules")
    site = models.ForeignKey(
        "inventory.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    threshold = models.FloatField(_("value above"), null=True, blank=True)
    min_count = models.PositiveIntegerField(_("more than N events in an hour"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["source", "name"]
        verbose_name = _("threshold rule")
        verbose_name_plural = _("threshold rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(threshold__isnull=False) & Q(min_count__isnull=True))
                | (Q(threshold__isnull=True) & Q(min_count__isnull=False)),
                name="%(app_label)s_%(class)s_one_condition",
                violation_error_message=_("A rule has either a value threshold or a number of events."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AnalyticsEpisode(models.Model):
    """A rule's condition holding: opened by the first event that meets it, extended by each next one
    within an hour, notified once."""

    rule = models.ForeignKey(AnalyticsRule, on_delete=models.CASCADE, related_name="episodes")
    started_at = models.DateTimeField(_("started at"))
    last_at = models.DateTimeField(_("last event at"))
    events = models.PositiveIntegerField(_("events"), default=1)
    peak = models.FloatField(_("peak value"), null=True, blank=True)

    class Meta:
        ordering = ["rule", "-started_at"]
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        constraints = [
            models.UniqueConstraint(fields=["rule", "started_at"], name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.started_at:%Y-%m-%d %H:%M}"
