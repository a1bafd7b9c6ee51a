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
