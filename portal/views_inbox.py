"""The user's in-app notifications (the same messages as the e-mails): newest first; opening the page
marks them read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from portal.models import InboxMessage


@login_required
def inbox(request):
    messages = InboxMessage.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(messages, 50).get_page(request.GET.get("page"))
    unread = [m.pk for m in page if m.read_at is None]
    response = render(request, "portal/inbox.html", {"page": page, "unread": set(unread)})
    if unread:
        InboxMessage.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response
