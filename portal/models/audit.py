"""The audit trail: append-only, hash-chained events written in the same transaction as the change."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.base import AppendOnlyModel


class AuditSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    JOB = "job", _("Background job")
    COMMAND = "command", _("Management command")
    SYSTEM = "system", _("System")


class AuditChainHead(models.Model):
    """One row: the sequence number and hash of the newest event. Locking it orders the chain."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=1), name="%(app_label)s_%(class)s_singleton")
        ]

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class AuditEvent(AppendOnlyModel):
    seq = models.BigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor (as recorded)"), max_length=254, blank=True)
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=AuditSource.choices, default=AuditSource.SYSTEM
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="portal_audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"


class AuditChainCheckpoint(models.Model):
    """One row: the newest event whose link was verified, with its hash. A check starts here, so it
    costs the events written since; a full re-verification (AuditVerification) starts from event 1."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(_("verified up to event no."), default=0)
    hash = models.CharField(_("hash of that event"), max_length=64, default="")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain checkpoint")
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=1), name="%(app_label)s_%(class)s_singleton")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditVerificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditVerification(models.Model):
    """A full re-verification of the chain, from event 1, run by a worker with its progress."""

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AuditVerificationStatus.choices,
        default=AuditVerificationStatus.QUEUED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    total = models.BigIntegerField(_("events to verify"), default=0)
    checked = models.BigIntegerField(_("events verified"), default=0)
    ok = models.BooleanField(_("intact"), null=True, blank=True)
    first_broken_seq = models.BigIntegerField(_("first broken event"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("audit chain verification")
        verbose_name_plural = _("audit chain verifications")

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.checked * 100 // self.total)
