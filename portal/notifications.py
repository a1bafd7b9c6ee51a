"""E-mail notifications: recorded in the caller's transaction, sent by a task after it commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.jobs import enqueue
from portal.models import InboxMessage, Notification


def notify(*, key: str, recipients: list[str], subject: str, body: str) -> list[Notification]:
    """Queue one e-mail per recipient. `key` names the event (e.g. the audit event's seq): the same
    event never produces the same e-mail twice, however often this or the task is retried."""
    created = []
    for recipient in sorted(set(r for r in recipients if r)):
        notification, was_created = Notification.objects.get_or_create(
            key=f"{key}:{recipient}"[:200],
            defaults={"recipient": recipient, "subject": subject[:200], "body": body},
        )
        if was_created:
            created.append(notification)
    for notification in created:
        enqueue("portal.send_notification", notification.pk)
    return created


def notification_send(*, notification_id: int) -> bool:
    """Send once: lock the row, skip if already sent. Returns True if an e-mail left now."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.sent_at is not None:
            return False
        notification.attempts += 1
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient],
            fail_silently=False,
        )
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "sent_at"])
    return True


def notify_in_app(*, key: str, users, subject: str, body: str = "", url: str = "") -> int:
    """Show a message to each user in the portal's notifications (once per key and user); returns how
    many were added. Call it in the transaction of the event it tells about."""
    added = 0
    for user in {u.pk: u for u in users}.values():
        _message, created = InboxMessage.objects.get_or_create(
            user=user, key=key[:200], defaults={"subject": subject[:200], "body": body, "url": url[:300]}
        )
        added += created
    return added
