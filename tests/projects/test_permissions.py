"""Who may do what on an EU project, as a matrix: anonymous, a project manager of another organisation,
a member of the coordinator in another role, the partner's project manager, the coordinator's project
manager, an official, an auditor. A denied call changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from portal.choices import Role
from portal.models import AuditEvent
from projects.choices import DeliverableStatus as S
from projects.models import BudgetLine, Deliverable, WorkPackage
from projects.selectors import file_visible, project_access_for, project_list
from projects.services import deliverables as deliverable_services
from projects.services.budget import BudgetEntry, budget_set
from projects.services.workplan import planned_effort_set, work_package_create
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import category, make_project, make_work_plan, manager_of, pdf_upload

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_pm", "coord_applicant", "partner_pm", "coord_pm", "official", "auditor"]


class Anonymous:
    is_authenticated = False
    is_active = False


@pytest.fixture
def world():
    coordinator = OrganisationFactory(name="Comune di Torino")
    project = make_project(coordinator=coordinator, partners=1)
    wp1, wp2, _d11, d21 = make_work_plan(project)
    partner = project.partners.get(number=2)
    Deliverable.objects.filter(pk=d21.pk).update(status=S.PENDING)
    deliverable_services.deliverable_upload(actor=None, deliverable=d21, uploaded_file=pdf_upload())
    deliverable_services.deliverable_submit(actor=None, deliverable=Deliverable.objects.get(pk=d21.pk))
    users = {
        "anonymous": Anonymous(),
        "other_pm": manager_of(OrganisationFactory(name="Comune di Trento")),
        "coord_applicant": make_user(Role.APPLICANT, coordinator),
        "partner_pm": manager_of(partner.organisation),
        "coord_pm": manager_of(coordinator),
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
    }
    return {"project": project, "wp1": wp1, "wp2": wp2, "d21": d21, "partner": partner, "users": users}


EXPECTED = {
    #                  reads  work plan  partner's effort  accepts  SEN file
    "anonymous": (False, False, False, False, False),
    "other_pm": (False, False, False, False, False),
    "coord_applicant": (True, False, False, False, True),
    "partner_pm": (True, False, True, False, True),
    "coord_pm": (True, True, True, False, True),
    "official": (True, False, False, True, True),
    "auditor": (True, False, False, False, True),
}


def _attempt(call) -> bool:
    events = AuditEvent.objects.count()
    try:
        call()
    except PermissionDenied:
        assert AuditEvent.objects.count() == events  # a denied call changes nothing
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_project_permission_matrix(world, role):
    user = world["users"][role]
    project, partner = world["project"], world["partner"]
    reads, work_plan, effort, accepts, sen_file = EXPECTED[role]

    assert (project in project_list(user=user)) is reads
    assert project_access_for(user=user, project=project).reads is reads
    wps = WorkPackage.objects.count()
    assert (
        _attempt(
            lambda: work_package_create(
                actor=user, project=project, title="New", lead=partner, start_month=1, end_month=3
            )
        )
        is work_plan
    )
    assert WorkPackage.objects.count() == wps + work_plan
    budget = [BudgetEntry(partner, category(project, "A"), project.periods.first(), Decimal("0"))]
    if effort:
        # the partner's share: zero now, and the project has no budget yet, so the total is unchanged
        from projects.models import Project

        Project.objects.filter(pk=project.pk).update(total_eligible_cost=0, eu_contribution=0)
    assert (
        _attempt(lambda: budget_set(actor=user, project=project, entries=budget, partner=partner)) is effort
    )
    assert BudgetLine.objects.count() == 0
    if role not in ("partner_pm",):  # the coordinator plans everybody's effort; a partner does not
        assert (
            _attempt(
                lambda: planned_effort_set(
                    actor=user, work_package=world["wp2"], partner=partner, person_months="3"
                )
            )
            is work_plan
        )
    assert (
        _attempt(lambda: deliverable_services.deliverable_accept(actor=user, deliverable=world["d21"]))
        is accepts
    )
    assert Deliverable.objects.get(pk=world["d21"].pk).status == (S.ACCEPTED if accepts else S.SUBMITTED)
    assert file_visible(user=user, deliverable=Deliverable.objects.get(pk=world["d21"].pk)) is sen_file
