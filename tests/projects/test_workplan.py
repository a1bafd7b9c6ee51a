"""The work plan: codes unique per project, months within the project and the work package."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEvent
from projects.models import Deliverable, DeliverableEvent, PlannedEffort, Task, WorkPackage
from projects.services.workplan import (
    deliverable_create,
    deliverable_update,
    milestone_create,
    planned_effort_set,
    task_create,
    work_package_create,
    work_package_update,
)
from tests.projects.factories import dtype, level, make_project, make_work_plan

pytestmark = pytest.mark.django_db


def test_codes_follow_the_eu_vocabulary_and_due_dates_are_derived():
    project = make_project(start=datetime.date(2025, 1, 1), partners=1)
    wp1, wp2, d11, d21 = make_work_plan(project)
    assert [wp1.code, wp2.code] == ["WP1", "WP2"]
    assert Task.objects.get(work_package=wp1).code == "T1.1"
    assert (d11.code, d11.due_date) == ("D1.1", datetime.date(2025, 6, 30))
    assert (d21.code, d21.due_date) == ("D2.1", datetime.date(2025, 12, 31))
    assert project.milestones.get().code == "MS1"
    assert DeliverableEvent.objects.filter(deliverable=d11, kind="created").exists()
    assert AuditEvent.objects.filter(action="projects.deliverable.created").count() == 2


def test_a_month_outside_the_project_or_its_wp_is_refused_with_the_reason():
    project = make_project(duration=24, partners=0, periods=())
    lead = project.partners.get()
    with pytest.raises(ValidationError) as excinfo:
        work_package_create(actor=None, project=project, title="X", lead=lead, start_month=3, end_month=30)
    assert excinfo.value.message_dict["end_month"] == [
        "Il mese 30 è fuori dal progetto, che va dal mese 1 al mese 24."
    ]
    with pytest.raises(ValidationError) as excinfo:
        work_package_create(actor=None, project=project, title="X", lead=lead, start_month=9, end_month=3)
    assert "3" in excinfo.value.message_dict["end_month"][0]
    wp = work_package_create(actor=None, project=project, title="X", lead=lead, start_month=3, end_month=12)
    with pytest.raises(ValidationError) as excinfo:
        task_create(actor=None, work_package=wp, title="T", leader=lead, start_month=1, end_month=5)
    assert excinfo.value.message_dict["start_month"] == [
        "Il mese 1 è fuori dal WP1, che va dal mese 3 al mese 12."
    ]
    with pytest.raises(ValidationError) as excinfo:
        deliverable_create(
            actor=None,
            work_package=wp,
            title="D",
            lead=lead,
            type=dtype(project),
            dissemination=level(project),
            due_month=13,
        )
    assert "WP1" in excinfo.value.message_dict["due_month"][0]
    assert not Deliverable.objects.exists()
    assert Task.objects.count() == 0


def test_codes_are_unique_per_project_and_code_lists_come_from_the_programme():
    project = make_project(partners=0)
    lead = project.partners.get()
    work_package_create(
        actor=None, project=project, title="A", lead=lead, start_month=1, end_month=6, number=1
    )
    with pytest.raises(ValidationError) as excinfo:
        work_package_create(
            actor=None, project=project, title="B", lead=lead, start_month=1, end_month=6, number=1
        )
    assert "WP1" in excinfo.value.message_dict["number"][0]
    other = make_project(partners=0)  # the same number in another project is fine
    work_package_create(
        actor=None, project=other, title="A", lead=other.partners.get(), start_month=1, end_month=6, number=1
    )
    wp = WorkPackage.objects.get(project=project)
    from projects.models import DeliverableType

    h2020_type = DeliverableType.objects.get(programme__code="h2020", code="R")
    with pytest.raises(ValidationError) as excinfo:
        deliverable_create(
            actor=None,
            work_package=wp,
            title="D",
            lead=lead,
            type=h2020_type,
            dissemination=level(project),
            due_month=3,
        )
    assert "Horizon Europe" in excinfo.value.message_dict["type"][0]


def test_work_package_cannot_shrink_under_its_contents_and_due_month_is_fixed_after_preparation():
    project = make_project(partners=1)
    wp1, _wp2, d11, _d21 = make_work_plan(project)
    with pytest.raises(ValidationError) as excinfo:
        work_package_update(actor=None, work_package=wp1, end_month=5)
    assert (
        "D1.1" in excinfo.value.message_dict["end_month"][0]
        or "T1.1" in excinfo.value.message_dict["end_month"][0]
    )
    deliverable_update(actor=None, deliverable=d11, due_month=8)
    assert Deliverable.objects.get(pk=d11.pk).due_date == project.month_end(8)
    Deliverable.objects.filter(pk=d11.pk).update(status="pending")
    with pytest.raises(ValidationError):
        deliverable_update(actor=None, deliverable=Deliverable.objects.get(pk=d11.pk), due_month=9)


def test_planned_effort_is_person_months_per_partner_and_wp():
    project = make_project(partners=1)
    wp1, *_ = make_work_plan(project)
    partner = project.partners.get(number=1)
    planned_effort_set(actor=None, work_package=wp1, partner=partner, person_months="14.25")
    assert PlannedEffort.objects.get(work_package=wp1, partner=partner).person_months == Decimal("14.25")
    with pytest.raises(ValidationError) as excinfo:
        planned_effort_set(actor=None, work_package=wp1, partner=partner, person_months="-1")
    assert "mesi-persona" in excinfo.value.message_dict["person_months"][0]
    with pytest.raises(ValidationError):
        milestone_create(actor=None, project=project, title="Late", due_month=99)
