from django.conf import settings

from portal.permissions import CAPABILITIES, can, primary_membership


def portal(request):
    user = getattr(request, "user", None)
    membership = primary_membership(user) if user is not None else None
    caps = {name: can(user, name) for name in CAPABILITIES} if membership else {}
    inbox_unread = 0
    if membership is not None:
        from portal.models import InboxMessage

        inbox_unread = InboxMessage.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "region_name": settings.REGION_NAME,
        "inbox_unread": inbox_unread,
        "current_membership": membership,
        "caps": caps,
    }
