"""Outgoing e-mail notifications: one row per (event, recipient) so a redelivered task never resends."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    key = models.CharField(_("key"), max_length=200, unique=True)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class InboxMessage(models.Model):
    """An in-app notification: the same message as an e-mail, shown to the user in the portal. One row
    per (event, user), like Notification, so a repeated event never shows twice."""

    user = models.ForeignKey("portal.User", on_delete=models.CASCADE, related_name="inbox")
    key = models.CharField(_("key"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("in-app notification")
        verbose_name_plural = _("in-app notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="%(app_label)s_%(class)s_once_per_user",
                violation_error_message=_("This notification was already given to this user."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject}"
