"""Changing and deleting what the work plan holds: tasks, milestones and reporting periods changed; tasks,
milestones, periods, work packages and deliverables deleted, or refused naming why (what depends on the
item, a report past draft, a deliverable past pending); the same through the API and the pages, as a
permission matrix in which a refused call changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import AuditEvent
from projects.choices import DeliverableStatus, ReportStatus
from projects.models import (
    BudgetLine,
    Deliverable,
    DeliverableEvent,
    Milestone,
    PeriodicReport,
    ReportingPeriod,
    Task,
    WorkPackage,
)
from projects.services import projects as project_services
from projects.services import workplan as services
from projects.services.budget import BudgetEntry, budget_set
from projects.services.periods import expenditure_line_add, late_justification_set
from tests.projects.conftest import ROLES
from tests.projects.factories import category
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _state():
    return (
        AuditEvent.objects.count(),
        list(Task.objects.values_list("pk", "title", "start_month", "end_month")),
        list(Milestone.objects.values_list("pk", "title", "due_month")),
        list(ReportingPeriod.objects.values_list("pk", "start_month", "end_month")),
        list(WorkPackage.objects.values_list("pk", flat=True)),
        list(Deliverable.objects.values_list("pk", flat=True)),
        PeriodicReport.objects.count(),
    )


def _message(excinfo, field=None) -> str:
    error = excinfo.value
    return error.message_dict[field][0] if field else error.messages[0]


# --- Services: what may change, what is refused and why --------------------------------------------
def test_a_task_changes_within_its_work_package_and_is_deleted_with_an_audit(run_world):
    task = Task.objects.get(work_package=run_world["wp1"])
    p2 = run_world["partner"]
    with pytest.raises(ValidationError) as excinfo:
        services.task_update(actor=run_world["users"]["coord_pm"], task=task, end_month=14)
    assert _message(excinfo, "end_month") == "Il mese 14 è fuori dal WP1, che va dal mese 1 al mese 12."
    changed = services.task_update(
        actor=run_world["users"]["coord_pm"], task=task, title="Steering", participants=[p2], start_month=2
    )
    assert (changed.title, changed.start_month, list(changed.participants.all())) == ("Steering", 2, [p2])
    assert AuditEvent.objects.filter(action="projects.task.updated").count() == 1
    services.task_delete(actor=run_world["users"]["coord_pm"], task=task)
    assert not Task.objects.filter(pk=task.pk).exists()
    assert AuditEvent.objects.get(action="projects.task.deleted").before["title"] == "Steering"


def test_a_milestone_changes_and_is_deleted_unless_a_report_justifies_it(run_world):
    milestone, pm = run_world["milestone"], run_world["users"]["coord_pm"]
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_update(actor=pm, milestone=milestone, due_month=40)
    assert "Il mese 40 è fuori dal progetto" in _message(excinfo, "due_month")
    services.milestone_update(
        actor=pm, milestone=milestone, title="Kick-off", due_month=3, work_packages=[run_world["wp2"]]
    )
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_month) == ("Kick-off", 3)
    assert [wp.code for wp in milestone.work_packages.all()] == ["WP2"]

    late_justification_set(actor=pm, report=run_world["report"], milestone=milestone, text="Venue closed.")
    before = _state()
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_delete(actor=pm, milestone=milestone)
    assert _message(excinfo) == (
        "MS1 non può essere eliminato finché è collegato a: la giustificazione del ritardo in RP1."
    )
    assert _state() == before
    milestone.latejustification_set.all().delete()
    services.milestone_delete(actor=pm, milestone=milestone)
    assert not Milestone.objects.exists()


def test_a_period_changes_only_while_its_report_is_a_draft_and_never_overlaps(run_world):
    project, pm = run_world["project"], run_world["users"]["coord_pm"]
    rp1, rp2 = project.periods.order_by("number")
    with pytest.raises(ValidationError) as excinfo:
        project_services.period_update(actor=pm, period=rp1, end_month=20)
    assert "RP2" in _message(excinfo, "start_month")
    changed = project_services.period_update(actor=pm, period=rp1, end_month=12)
    assert (changed.start_month, changed.end_month) == (1, 12)

    PeriodicReport.objects.filter(period=rp2).update(status=ReportStatus.LOCKED)
    before = _state()
    for call in (
        lambda: project_services.period_update(actor=pm, period=rp2, start_month=13),
        lambda: project_services.period_delete(actor=pm, period=rp2),
    ):
        with pytest.raises(ValidationError) as excinfo:
            call()
        assert _message(excinfo) == (
            "Il rapporto di RP2 è “Bloccato per la revisione”: il periodo può cambiare o essere eliminato "
            "solo finché il suo rapporto è una bozza."
        )
    assert _state() == before


def test_a_period_with_costs_or_budget_is_not_deleted_and_the_refusal_names_them(run_world):
    project, pm = run_world["project"], run_world["users"]["coord_pm"]
    rp1 = project.periods.get(number=1)
    staff = category(project, "A")
    project_services.project_update(actor=None, project=project, total_eligible_cost=Decimal("1000.00"))
    budget_set(
        actor=None,
        project=project,
        entries=[BudgetEntry(run_world["coordinator"], staff, rp1, Decimal("1000.00"))],
    )
    expenditure_line_add(
        actor=None,
        report=rp1.report,
        partner=run_world["coordinator"],
        category=staff,
        invoice_number="TS-1",
        invoice_date=project.start_date + datetime.timedelta(days=40),
        supplier_name="Time sheet",
        amount="500.00",
    )
    before = _state()
    with pytest.raises(ValidationError) as excinfo:
        project_services.period_delete(actor=pm, period=rp1)
    assert _message(excinfo) == (
        "RP1 non può essere eliminato: contiene 1 importo del budget previsto, 1 riga di spesa."
    )
    with pytest.raises(ValidationError) as excinfo:  # the invoice is dated in month 2
        project_services.period_update(actor=pm, period=rp1, end_month=1)
    assert "TS-1" in _message(excinfo, "end_month")
    assert _state() == before
    assert BudgetLine.objects.count() == 1

    rp2 = project.periods.get(number=2)
    project_services.period_delete(actor=pm, period=rp2)
    assert list(project.periods.values_list("number", flat=True)) == [1]
    assert PeriodicReport.objects.filter(period__project=project).count() == 1
    assert AuditEvent.objects.filter(action="projects.period.deleted").count() == 1


def test_a_work_package_is_deleted_only_when_nothing_depends_on_it(run_world):
    project, pm = run_world["project"], run_world["users"]["coord_pm"]
    before = _state()
    with pytest.raises(ValidationError) as excinfo:
        services.work_package_delete(actor=pm, work_package=run_world["wp1"])
    assert _message(excinfo) == (
        "WP1 non può essere eliminato finché è collegato a: T1.1, D1.1, MS1, "
        "i mesi-persona previsti da COORD."
    )
    with pytest.raises(ValidationError) as excinfo:
        services.work_package_delete(actor=pm, work_package=run_world["wp2"])
    assert "D2.1" in _message(excinfo)
    assert _state() == before

    wp3 = services.work_package_create(
        actor=pm, project=project, title="Spare", lead=run_world["coordinator"], start_month=1, end_month=6
    )
    services.planned_effort_set(actor=pm, work_package=wp3, partner=run_world["partner"], person_months="0")
    services.work_package_delete(actor=pm, work_package=wp3)
    assert not WorkPackage.objects.filter(pk=wp3.pk).exists()
    assert AuditEvent.objects.get(action="projects.wp.deleted").before["title"] == "Spare"


def test_a_deliverable_past_pending_or_once_submitted_cannot_be_deleted(run_world):
    pm, d11 = run_world["users"]["coord_pm"], run_world["d11"]
    d21 = Deliverable.objects.get(work_package=run_world["wp2"])
    Deliverable.objects.filter(pk=d21.pk).update(
        status=DeliverableStatus.SUBMITTED, submitted_on=datetime.date(2026, 1, 10)
    )
    before = _state()
    with pytest.raises(ValidationError) as excinfo:
        services.deliverable_delete(actor=pm, deliverable=d21)
    assert _message(excinfo).startswith(f"D2.1 è “{DeliverableStatus.SUBMITTED.label}”: si può eliminare")
    Deliverable.objects.filter(pk=d21.pk).update(status=DeliverableStatus.PENDING)  # a revision requested
    with pytest.raises(ValidationError) as excinfo:
        services.deliverable_delete(actor=pm, deliverable=d21)
    assert "D2.1" in _message(excinfo)
    assert _state() == before

    services.deliverable_delete(actor=pm, deliverable=d11)  # in preparation: gone, with its timeline
    assert not Deliverable.objects.filter(pk=d11.pk).exists()
    assert not DeliverableEvent.objects.filter(deliverable_id=d11.pk).exists()
    event = AuditEvent.objects.get(action="projects.deliverable.deleted")
    assert event.before["title"] == "Project handbook"
    assert event.before["timeline"] == ["created"]


@pytest.mark.postgres
def test_deleting_a_deliverable_opens_its_timeline_only_in_that_transaction(run_world):
    from django.db import IntegrityError, InternalError, connection, transaction

    pm = run_world["users"]["coord_pm"]
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    d21 = Deliverable.objects.get(work_package=run_world["wp2"])

    def delete_other_lines():  # the setting names d21: D1.1's lines stay append-only
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('projects.deleting_deliverable', %s, true)", [str(d21.pk)])
            cursor.execute(
                "DELETE FROM projects_deliverableevent WHERE deliverable_id = %s", [run_world["d11"].pk]
            )

    with pytest.raises((IntegrityError, InternalError), match="append-only"):
        delete_other_lines()
    services.deliverable_delete(actor=pm, deliverable=d21)
    assert not DeliverableEvent.objects.filter(deliverable_id=d21.pk).exists()


# --- The API: who may change and delete --------------------------------------------------------------
def _writes(world):
    task = Task.objects.get(work_package=world["wp1"])
    rp2 = world["project"].periods.get(number=2)
    wp3 = WorkPackage.objects.create(
        project=world["project"],
        number=3,
        title="Spare",
        lead=world["coordinator"],
        start_month=1,
        end_month=6,
    )
    return [
        ("patch", f"/api/v1/tasks/{task.pk}/", {"title": "Steering"}),
        ("patch", f"/api/v1/milestones/{world['milestone'].pk}/", {"title": "Kick-off", "due_month": 3}),
        ("patch", f"/api/v1/reporting-periods/{rp2.pk}/", {"end_month": 32}),
        ("delete", f"/api/v1/tasks/{task.pk}/", None),
        ("delete", f"/api/v1/milestones/{world['milestone'].pk}/", None),
        ("delete", f"/api/v1/reporting-periods/{rp2.pk}/", None),
        ("delete", f"/api/v1/work-packages/{wp3.pk}/", None),
        ("delete", f"/api/v1/deliverables/{world['d11'].pk}/", None),
    ]


DENIED_STATUS = {"anonymous": {401, 403}, "other_pm": {404}}


@pytest.mark.parametrize("role", ROLES)
def test_who_changes_and_deletes_the_work_plan_in_the_api(run_world, role):
    api = api_client_for(run_world["users"][role])
    for method, url, body in _writes(run_world):
        before = _state()
        response = getattr(api, method)(url, body, format="json")
        if role == "coord_pm":
            assert response.status_code in (200, 204), (url, response.content)
            continue
        assert response.status_code in DENIED_STATUS.get(role, {403}), (method, url, response.status_code)
        assert _state() == before, (method, url)  # a refused call changes nothing
    if role == "coord_pm":
        assert not Task.objects.filter(work_package=run_world["wp1"]).exists()
        assert list(run_world["project"].periods.values_list("number", flat=True)) == [1]


def test_a_refused_deletion_in_the_api_names_why_in_italian_or_english(run_world):
    api = api_client_for(run_world["users"]["coord_pm"])
    url = f"/api/v1/work-packages/{run_world['wp2'].pk}/"
    before = _state()
    italian = api.delete(url)
    assert italian.status_code == 400
    assert "WP2 non può essere eliminato finché è collegato a: D2.1" in str(italian.json())
    english = api.delete(url, **EN)
    assert "WP2 cannot be deleted while these depend on it: D2.1, the person-months planned by P2." in str(
        english.json()
    )
    assert _state() == before


# --- The pages -----------------------------------------------------------------------------------------
PAGE_DENIED = {"other_pm": 403, "coord_applicant": 403, "partner_pm": 403, "official": 403, "auditor": 403}


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_and_posts_the_edit_and_delete_pages(client, run_world, role):
    user = run_world["users"][role]
    if user is not None:
        client.force_login(user)
    task = Task.objects.get(work_package=run_world["wp1"])
    rp1 = run_world["project"].periods.get(number=1)
    pages = [
        (
            reverse("projects:task_edit", args=["DA4LP", task.pk]),
            {"title": "X", "leader": task.leader_id, "start_month": 1, "end_month": 12},
        ),
        (
            reverse("projects:milestone_edit", args=["DA4LP", run_world["milestone"].pk]),
            {"title": "X", "due_month": 2},
        ),
        (reverse("projects:period_edit", args=["DA4LP", rp1.pk]), {"start_month": 1, "end_month": 17}),
        (reverse("projects:plan_delete", args=["DA4LP", "task", task.pk]), {}),
        (reverse("projects:plan_delete", args=["DA4LP", "deliverable", run_world["d11"].pk]), {}),
    ]
    for url, data in pages:
        before = _state()
        page, posted = client.get(url), client.post(url, data)
        if role == "anonymous":
            assert page.status_code == posted.status_code == 302
        elif role == "coord_pm":
            assert page.status_code == 200, url
            assert posted.status_code == 302, (url, _text(posted))
            continue
        else:
            assert page.status_code == posted.status_code == PAGE_DENIED[role], url
        assert _state() == before, url


def test_the_keeper_changes_a_task_and_reads_why_a_work_package_stays(client, run_world):
    client.force_login(run_world["users"]["coord_pm"])
    plan = _text(client.get(reverse("projects:work_plan", args=["DA4LP"])))
    task = Task.objects.get(work_package=run_world["wp1"])
    assert reverse("projects:task_edit", args=["DA4LP", task.pk]) in plan
    refused = client.post(
        reverse("projects:task_edit", args=["DA4LP", task.pk]),
        {"title": "Coordination", "leader": task.leader_id, "start_month": 1, "end_month": 13},
    )
    assert refused.status_code == 400
    assert "Il mese 13 è fuori dal WP1" in _text(refused)

    url = reverse("projects:plan_delete", args=["DA4LP", "wp", run_world["wp1"].pk])
    confirm = _text(client.get(url))
    assert "Elimina WP1 Management" in confirm
    assert "Questa operazione non può essere annullata" in confirm
    before = _state()
    refused = client.post(url)
    assert refused.status_code == 400
    assert "WP1 non può essere eliminato finché è collegato a: T1.1, D1.1, MS1" in _text(refused)
    assert _state() == before


def test_participants_are_a_fieldset_of_checkboxes_each_with_its_own_label(client, run_world):
    client.force_login(run_world["users"]["coord_pm"])
    task = Task.objects.get(work_package=run_world["wp1"])
    html = _text(client.get(reverse("projects:task_edit", args=["DA4LP", task.pk])))
    assert '<legend class="fs-6 fw-semibold mb-2">Partecipanti</legend>' in html
    partners = list(run_world["project"].partners.all())
    assert html.count('<div class="form-check"><input type="checkbox"') == len(partners)
    for partner in partners:
        assert f">{partner}</label>" in html
