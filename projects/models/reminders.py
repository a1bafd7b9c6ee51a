"""Reminders sent, one row per (object, kind, due date): inserted before anything is sent, so a rerun
or a second worker finds the row and sends nothing twice. Calendar feeds: private, revocable tokens."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.choices import ReminderKind
from projects.models.project import Project


class Reminder(models.Model):
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    target_id = models.PositiveBigIntegerField()
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind", "due_date"],
                name="%(app_label)s_%(class)s_once",
                violation_error_message=_("This reminder was already sent."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_type_id}:{self.target_id} {self.kind} {self.due_date}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCalendar address of a project's due dates for one user; revoked feeds answer 404."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="calendar_feeds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.project} · {self.user}"
