"""Pinned query counts of the projects app's lists and main pages, pages and API: the same for a few
rows as for many (issue 14). Each test measures after the session's first write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import make_project, make_work_plan, manager_of
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
FEW, MANY = 2, 7


def _projects(n: int) -> list:
    projects = []
    for _ in range(n):
        project = make_project(coordinator=OrganisationFactory(), partners=2)
        make_work_plan(project)
        projects.append(project)
    return projects


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


@pytest.fixture
def official_client(client, official):
    client.force_login(official)
    client.get(reverse("home"))  # the session's first write happens here, not in the measured request
    return client


@pytest.mark.parametrize("name", ["projects:project_list", "projects:deliverable_register"])
def test_list_pages(official_client, name):
    _projects(FEW)
    few = _count(official_client, reverse(name))
    _projects(MANY - FEW)
    assert _count(official_client, reverse(name)) == few


@pytest.mark.parametrize(
    "name",
    [
        "projects:project_detail",
        "projects:work_plan",
        "projects:budget",
        "projects:partners",
        "projects:report_detail",
    ],
)
def test_project_pages_cost_the_same_for_a_small_and_a_large_consortium(client, name):
    coordinator = OrganisationFactory()
    small = make_project(coordinator=coordinator, partners=1)
    make_work_plan(small)
    large = make_project(coordinator=coordinator, partners=8, periods=((1, 12), (13, 24), (25, 36)))
    make_work_plan(large)
    client.force_login(manager_of(coordinator))  # the coordinator's manager: every page, managing ones too
    client.get(reverse("home"))

    def url(project):
        args = [project.acronym, 1] if name == "projects:report_detail" else [project.acronym]
        return reverse(name, args=args)

    assert _count(client, url(small)) == _count(client, url(large))


@pytest.mark.parametrize(
    "endpoint",
    [
        "eu-programme",
        "project",
        "project-partner",
        "work-package",
        "project-task",
        "reporting-period",
        "milestone",
        "deliverable",
        "expenditure-line",
        "periodic-report",
    ],
)
def test_api_lists(official, endpoint):
    api = api_client_for(official)
    url = reverse(f"v1:{endpoint}-list")
    _projects(FEW)
    api.get(url)  # the roles are read once and kept on the user
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    _projects(MANY - FEW)
    with CaptureQueriesContext(connection) as many:
        response = api.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
