"""Reminders: 30 and 7 days before a due date and the day after it is missed, once each, by e-mail and
in the portal's notifications; a rerun or two workers racing send nothing twice."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from portal.models import InboxMessage, Notification
from projects.choices import PartnerRole
from projects.models import Deliverable, Reminder
from projects.services.reminders import reminders_send
from tests.factories import OrganisationFactory
from tests.projects.factories import make_project, make_work_plan, manager_of
from tests.utils import requires_postgres

START = datetime.date(2025, 1, 1)  # D1.1 due 30/06/2025, D2.1 due 31/12/2025; RP1 (M1-12) due 01/03/2026


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """reminders_send, with the e-mail tasks it queues on commit run at once (as after a real commit)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(**kwargs)

    return run


def world():
    coordinator = OrganisationFactory(name="Comune di Torino")
    project = make_project(coordinator=coordinator, partners=1, start=START, periods=((1, 12), (13, 36)))
    make_work_plan(project)
    coord_pm = manager_of(coordinator)
    partner_pm = manager_of(project.partners.get(number=2).organisation)
    return project, coord_pm, partner_pm


@pytest.mark.django_db
def test_each_reminder_goes_once_to_the_lead_and_the_project_manager(send):
    project, coord_pm, partner_pm = world()
    d11 = Deliverable.objects.get(project=project, number=1, work_package__number=1)  # led by the coordinator
    run = send(today=datetime.date(2025, 5, 31))  # D1.1 in 30 days
    assert (run.sent, run.kinds) == (1, {"due_30": 1})
    assert [m.to for m in mail.outbox] == [[coord_pm.email]]
    assert "D1.1" in mail.outbox[0].subject
    assert "30" in mail.outbox[0].subject
    assert InboxMessage.objects.get(user=coord_pm).url.endswith(f"/deliverables/{d11.pk}/")
    again = send(today=datetime.date(2025, 5, 31))
    assert (again.sent, again.skipped, len(mail.outbox)) == (0, 1, 1)

    send(today=datetime.date(2025, 6, 23))  # 7 days
    send(today=datetime.date(2025, 7, 1))  # missed yesterday
    send(today=datetime.date(2025, 7, 2))  # still late: nothing more
    kinds = list(Reminder.objects.filter(target_id=d11.pk).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["due_30", "due_7", "missed"]
    d21_mails = [m for m in mail.outbox if "D2.1" in m.subject]
    assert d21_mails == []  # D2.1 is due in December: not yet
    send(today=datetime.date(2025, 12, 1))
    d21 = [m for m in mail.outbox if "D2.1" in m.subject]
    assert sorted(d21[0].to + d21[1].to) == sorted([coord_pm.email, partner_pm.email])  # lead (P2) and the PM


@pytest.mark.django_db
def test_a_foreign_coordinator_without_a_manager_leaves_the_reminders_to_the_city_keeping_the_plan(send):
    """A city records a project coordinated by a foreign body that has no manager in the portal: the
    city keeps the work plan, so it gets the reminders the coordinator's manager would (D2.1 is led by
    the coordinator: before, nobody was told)."""
    project, city_pm, foreign_pm = world()
    project.partners.filter(number=1).update(role=PartnerRole.BENEFICIARY)
    project.partners.filter(number=2).update(role=PartnerRole.COORDINATOR)
    foreign_pm.memberships.update(is_active=False)  # the foreign coordinator: no manager in the portal
    send(today=datetime.date(2025, 12, 1))
    d21 = [m for m in mail.outbox if "D2.1" in m.subject]
    assert [m.to for m in d21] == [[city_pm.email]]
    assert InboxMessage.objects.filter(user=city_pm, subject__contains="D2.1").count() == 1


@pytest.mark.django_db
def test_submitted_deliverables_and_closed_projects_get_no_reminder_and_reports_do(send):
    project, coord_pm, partner_pm = world()
    Deliverable.objects.filter(project=project).update(status="submitted", submitted_on=START)
    run = send(today=datetime.date(2026, 2, 1))  # RP1's report is due on 01/03/2026
    assert run.kinds == {"due_30": 1}
    assert {m.to[0] for m in mail.outbox} == {coord_pm.email, partner_pm.email}
    assert "RP1" in mail.outbox[0].subject
    project.status = "closed"
    project.save(update_fields=["status"])
    assert send(today=datetime.date(2026, 2, 25)).sent == 0


@pytest.mark.django_db
def test_the_command_for_cron_sends_and_is_safe_to_rerun(capsys, django_capture_on_commit_callbacks):
    world()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_project_reminders", "--date", "2025-07-01")
    first = capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_project_reminders", "--date", "2025-07-01")
    second = capsys.readouterr().out
    assert "1 sent" in first or "2 sent" in first
    assert second.startswith("Reminders: 0 sent")
    assert Notification.objects.count() == len(mail.outbox)


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [2, 8])
def test_racing_workers_send_each_reminder_exactly_once(comuni, workers, capsys):
    _project, _coord_pm, _partner_pm = world()
    today = datetime.date(2025, 12, 1)  # D1.1 missed, D2.1 in 30 days, MS none; RP1 not yet
    barrier = threading.Barrier(workers)
    results = []

    def work():
        try:
            barrier.wait()
            results.append(reminders_send(today=today))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [r for r in results if isinstance(r, Exception)] == []
    sent = sum(r.sent for r in results)
    skipped = sum(r.skipped for r in results)
    assert sent == 2  # D1.1 missed, D2.1 due in 30 days
    assert Reminder.objects.count() == 2
    assert Notification.objects.count() == 3  # D1.1: the coordinator's PM; D2.1: the lead (P2) and the PM
    assert len(mail.outbox) == 3
    assert InboxMessage.objects.count() == 3
    with capsys.disabled():
        print(
            f"\n[reminders race] {workers} workers at once: {sent} reminders sent, {skipped} skipped "
            f"as already sent, {len(mail.outbox)} e-mails, {InboxMessage.objects.count()} in-app messages, "
            "0 duplicates"
        )
