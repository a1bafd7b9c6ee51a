"""Factories for the projects tests: a programme's code lists come from the real fixture; projects
are built through the services, as a user would build them."""

import datetime
from decimal import Decimal

import factory

from portal.choices import OrganisationKind, Role
from projects.choices import PartnerRole
from projects.models import CostCategory, DeliverableType, DisseminationLevel, FundingProgramme, Project
from projects.services.programmes import code_lists_load
from projects.services.projects import partner_add, period_create, project_create
from tests.factories import OrganisationFactory, make_user

START = datetime.date(2025, 1, 1)


def programme(code: str = "horizon-europe") -> FundingProgramme:
    code_lists_load()
    return FundingProgramme.objects.get(code=code)


def category(project: Project, code: str) -> CostCategory:
    return CostCategory.objects.get(programme=project.programme, code=code)


def dtype(project: Project, code: str = "R") -> DeliverableType:
    return DeliverableType.objects.get(programme=project.programme, code=code)


def level(project: Project, code: str = "PU") -> DisseminationLevel:
    return DisseminationLevel.objects.get(programme=project.programme, code=code)


class ForeignBodyFactory(OrganisationFactory):
    kind = OrganisationKind.OTHER
    country = "FR"
    pic = factory.Sequence(lambda n: f"{900000000 + n:09d}")


_acronyms = iter(range(1, 10**6))


def make_project(
    *,
    coordinator=None,
    duration: int = 36,
    total: str = "1000000.00",
    start: datetime.date = START,
    acronym: str | None = None,
    periods: tuple[tuple[int, int], ...] = ((1, 18), (19, 36)),
    partners: int = 1,
) -> Project:
    """A Horizon Europe project coordinated by `coordinator` (a new body), with `partners` more
    partners (foreign bodies) and the given reporting periods."""
    coordinator = coordinator or OrganisationFactory()
    project = project_create(
        actor=None,
        acronym=acronym or f"PRJ{next(_acronyms)}",
        title="A test project",
        programme=programme(),
        start_date=start,
        duration_months=duration,
        organisation=coordinator,
        role=PartnerRole.COORDINATOR,
        short_name="COORD",
        total_eligible_cost=Decimal(total),
        eu_contribution=Decimal(total),
    )
    for i in range(partners):
        partner_add(
            actor=None,
            project=project,
            organisation=ForeignBodyFactory(),
            role=PartnerRole.BENEFICIARY,
            short_name=f"P{i + 2}",
        )
    for start_month, end_month in periods:
        period_create(actor=None, project=project, start_month=start_month, end_month=end_month)
    return project


def manager_of(organisation, **kwargs):
    return make_user(Role.EU_PROJECT_MANAGER, organisation, **kwargs)


def make_work_plan(project: Project):
    """WP1 (months 1-12, led by the coordinator) and WP2 (6-36, led by partner 2 if any), a task,
    planned effort, deliverables D1.1 (R, PU, month 6), D2.1 (R, SEN, month 12) and a milestone."""
    from projects.services.workplan import (
        deliverable_create,
        milestone_create,
        planned_effort_set,
        task_create,
        work_package_create,
    )

    partners = list(project.partners.order_by("number"))
    second = partners[1] if len(partners) > 1 else partners[0]
    wp1 = work_package_create(
        actor=None, project=project, title="Management", lead=partners[0], start_month=1, end_month=12
    )
    wp2 = work_package_create(
        actor=None,
        project=project,
        title="Training",
        lead=second,
        start_month=6,
        end_month=project.duration_months,
    )
    task_create(
        actor=None, work_package=wp1, title="Coordination", leader=partners[0], start_month=1, end_month=12
    )
    planned_effort_set(actor=None, work_package=wp1, partner=partners[0], person_months=Decimal("12.50"))
    planned_effort_set(actor=None, work_package=wp2, partner=second, person_months=Decimal("20.00"))
    d11 = deliverable_create(
        actor=None,
        work_package=wp1,
        title="Project handbook",
        lead=partners[0],
        type=dtype(project),
        dissemination=level(project, "PU"),
        due_month=6,
    )
    d21 = deliverable_create(
        actor=None,
        work_package=wp2,
        title="Training curriculum",
        lead=second,
        type=dtype(project),
        dissemination=level(project, "SEN"),
        due_month=12,
    )
    milestone_create(actor=None, project=project, title="Kick-off held", due_month=2, work_packages=[wp1])
    return wp1, wp2, d11, d21


def pdf_upload(name: str = "deliverable.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.funding.factories_calls import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
