"""Private, revocable iCalendar feeds of a project's due dates (deliverables, milestones, periodic
reports), written by the icalendar library for Outlook and Thunderbird to subscribe to."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from projects.models import CalendarFeed, Project
from projects.services.common import access, audit


def calendar_feed_create(*, actor: User, project: Project) -> CalendarFeed:
    if not access(actor, project).reads:
        raise PermissionDenied
    with transaction.atomic():
        feed = CalendarFeed.objects.create(project=project, user=actor)
        audit(
            action="projects.feed.created", actor=actor, target=feed, project=project, after={"feed": feed.pk}
        )
    return feed


def calendar_feed_revoke(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    if feed.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit(
            action="projects.feed.revoked",
            actor=actor,
            target=feed,
            project=feed.project,
            after={"feed": feed.pk},
        )
    feed.refresh_from_db()
    return feed


def _event(cal_event_cls, *, uid, summary, day: datetime.date, url: str, description: str = ""):
    event = cal_event_cls()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("dtstamp", timezone.now())
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    if description:
        event.add("description", description)
    return event


def calendar_ics(*, feed: CalendarFeed) -> bytes | None:
    """The feed's calendar, or None if its user may no longer read the project."""
    from icalendar import Calendar, Event

    project = feed.project
    if not access(feed.user, project).reads:
        return None
    site = settings.SITE_URL
    host = site.split("//")[-1].split("/")[0] or "sentinella"
    calendar = Calendar()
    calendar.add("prodid", "-//Sentinella//EU projects//IT")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{project.acronym} · Sentinella")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for d in project.deliverables.select_related("work_package").order_by("due_date"):
        url = site + reverse("projects:deliverable_detail", args=[project.acronym, d.pk])
        calendar.add_component(
            _event(
                Event,
                uid=f"deliverable-{d.pk}@{host}",
                summary=f"{project.acronym} {d.code} {d.title}",
                day=d.due_date,
                url=url,
                description=d.get_status_display(),
            )
        )
    for m in project.milestones.order_by("due_month"):
        url = site + reverse("projects:project_detail", args=[project.acronym])
        calendar.add_component(
            _event(
                Event,
                uid=f"milestone-{m.pk}@{host}",
                summary=f"{project.acronym} {m.code} {m.title}",
                day=m.due_date,
                url=url,
            )
        )
    for period in project.periods.order_by("number"):
        url = site + reverse("projects:report_detail", args=[project.acronym, period.number])
        calendar.add_component(
            _event(
                Event,
                uid=f"report-{period.pk}@{host}",
                summary=f"{project.acronym} {period.code}: periodic report",
                day=period.report_due_date,
                url=url,
            )
        )
    return calendar.to_ical()
