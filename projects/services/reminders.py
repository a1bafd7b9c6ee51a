"""Reminders of due dates: 30 and 7 days before a deliverable's or a periodic report's due date, and
the day after it is missed, once each, by e-mail and in the portal's notifications.

Once means once whatever runs: the reminder's row (object, kind, due date) is inserted first, in the
same transaction as its e-mails and in-app messages; a second worker racing for the same reminder is
stopped by the unique constraint (on PostgreSQL it waits for the first to commit, then skips), and a
rerun finds the row and skips. A crash before the commit leaves nothing, so the next run sends it.
If a run was missed, the next one catches up: a deliverable due in 20 days gets its 30-day reminder,
one due in 3 days its 7-day one, one already late its "missed" one; a moved due date is a new date
with its own reminders.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.audit import audit_record
from portal.choices import Role
from portal.formatting import format_date
from portal.models import Membership, User
from portal.notifications import notify, notify_in_app
from projects.choices import OPEN_DELIVERABLE_STATUSES, PartnerRole, ProjectStatus, ReminderKind, ReportStatus
from projects.models import Deliverable, PeriodicReport, Reminder
from projects.services.common import work_plan_keeper

logger = logging.getLogger(__name__)

SUBJECTS = {
    ReminderKind.DUE_30: _("[Sentinella] %(project)s %(code)s is due in %(days)s days (%(date)s)"),
    ReminderKind.DUE_7: _("[Sentinella] %(project)s %(code)s is due in %(days)s days (%(date)s)"),
    ReminderKind.MISSED: _("[Sentinella] %(project)s %(code)s is late: it was due on %(date)s"),
}
BODY = _(
    "Project: %(project)s\n%(what)s %(code)s %(title)s\nDue date: %(date)s\nStatus: %(status)s\n%(url)s\n"
)


@dataclass
class ReminderRun:
    sent: int = 0  # reminders inserted (and so sent) by this run
    skipped: int = 0  # reminders already sent (by a previous run or another worker)
    emails: int = 0
    messages: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def reminder_kind(due: datetime.date, today: datetime.date) -> str | None:
    days = (due - today).days
    if 7 < days <= 30:
        return ReminderKind.DUE_30
    if 0 <= days <= 7:
        return ReminderKind.DUE_7
    if days < 0:
        return ReminderKind.MISSED
    return None


def _managers(organisation_ids) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.EU_PROJECT_MANAGER,
            memberships__is_active=True,
            memberships__organisation_id__in=list(organisation_ids),
        ).distinct()
    )


def _coordinator_orgs(project) -> list[int]:
    """The coordinator's organisation and, when another partner keeps the work plan (the coordinator
    has no project manager in the portal: a foreign body), the keeper's: its manager is the project's."""
    partners = list(project.partners.values_list("pk", "organisation_id", "role", "number"))
    keeper = work_plan_keeper(partners)
    return sorted({org for pk, org, role, _n in partners if role == PartnerRole.COORDINATOR or pk == keeper})


@dataclass(frozen=True)
class Due:
    target: object
    project: object
    code: str
    title: str
    what: str
    due: datetime.date
    status: str
    url: str
    recipients: list


def _due_items(today: datetime.date) -> list[Due]:
    horizon = today + datetime.timedelta(days=30)
    items = []
    deliverables = (
        Deliverable.objects.filter(status__in=OPEN_DELIVERABLE_STATUSES, due_date__lte=horizon)
        .exclude(project__status=ProjectStatus.CLOSED)
        .select_related("project", "work_package", "lead")
        .order_by("pk")
    )
    for d in deliverables:
        recipients = _managers({d.lead.organisation_id, *_coordinator_orgs(d.project)})
        items.append(
            Due(
                d,
                d.project,
                d.code,
                d.title,
                gettext("Deliverable"),
                d.due_date,
                d.get_status_display(),
                reverse("projects:deliverable_detail", args=[d.project.acronym, d.pk]),
                recipients,
            )
        )
    reports = (
        PeriodicReport.objects.filter(status__in=[ReportStatus.DRAFT, ReportStatus.LOCKED])
        .exclude(period__project__status=ProjectStatus.CLOSED)
        .select_related("period__project")
        .order_by("pk")
    )
    for report in reports:
        due = report.period.report_due_date
        if due > horizon:
            continue
        project = report.period.project
        recipients = _managers(project.partners.values_list("organisation_id", flat=True))
        items.append(
            Due(
                report,
                project,
                report.period.code,
                "",
                gettext("Periodic report"),
                due,
                report.get_status_display(),
                reverse("projects:report_detail", args=[project.acronym, report.period.number]),
                recipients,
            )
        )
    return items


def _send_one(item: Due, kind: str, today: datetime.date, run: ReminderRun) -> None:
    content_type = ContentType.objects.get_for_model(item.target)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                target_type=content_type,
                target_id=item.target.pk,
                kind=kind,
                due_date=item.due,
                recipients=sorted(u.email for u in item.recipients),
            )
            params = {
                "project": item.project.acronym,
                "code": item.code,
                "title": item.title,
                "what": item.what,
                "days": (item.due - today).days,
                "date": format_date(item.due),
                "status": item.status,
                "url": f"{settings.SITE_URL}{item.url}",
            }
            subject = str(SUBJECTS[kind]) % params
            body = str(BODY) % params
            key = f"projects.reminder:{reminder.pk}"
            run.emails += len(
                notify(key=key, recipients=[u.email for u in item.recipients], subject=subject, body=body)
            )
            run.messages += notify_in_app(
                key=key, users=item.recipients, subject=subject, body=body, url=item.url
            )
            audit_record(
                action="projects.reminder.sent",
                target=item.target,
                after={
                    "kind": kind,
                    "due_date": item.due,
                    "recipients": reminder.recipients,
                    "project": item.project.acronym,
                },
            )
    except IntegrityError:
        run.skipped += 1  # another run or worker sent it first
        return
    run.sent += 1
    run.kinds[kind] = run.kinds.get(kind, 0) + 1


def reminders_send(*, today: datetime.date | None = None) -> ReminderRun:
    """Send every reminder due today that was not sent yet (in Italian, the portal's language)."""
    today = today or timezone.localdate()
    run = ReminderRun()
    with translation.override(settings.LANGUAGE_CODE):
        for item in _due_items(today):
            kind = reminder_kind(item.due, today)
            if kind is None:
                continue
            if Reminder.objects.filter(
                target_type=ContentType.objects.get_for_model(item.target),
                target_id=item.target.pk,
                kind=kind,
                due_date=item.due,
            ).exists():
                run.skipped += 1
                continue
            _send_one(item, kind, today, run)
    logger.info("project reminders: %s sent, %s already sent, %s e-mails", run.sent, run.skipped, run.emails)
    return run


__all__ = ["Membership"]
