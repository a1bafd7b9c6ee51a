"""Pinned query counts of the application and call lists, the review queue, the allocations and
their API lists: the same for 10 rows as for 120 (more than two pages), every list read one page at a
time in SQL (issue 14)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding.choices import AllocationMethod, ApplicationStatus
from funding.models import Application
from funding.services import allocation as services
from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_allocation_call
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
SMALL, LARGE = 10, 120


def _applications(call, n: int, status=ApplicationStatus.SUBMITTED) -> None:
    start = Application.objects.count()
    applicants = OrganisationFactory.create_batch(n)
    Application.objects.bulk_create(
        Application(
            call=call,
            applicant=applicant,
            status=status,
            protocol_number=f"2030/{start + i:05d}",
            submitted_at=timezone.now(),
        )
        for i, applicant in enumerate(applicants)
    )


def _count(client, url, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


@pytest.fixture
def official_client(client):
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    client.get(reverse("home"))  # the session's first write happens here, not in the measured request
    return client


@pytest.mark.parametrize("name", ["funding:review_queue", "funding:application_list"])
def test_application_pages_read_one_page(official_client, name):
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT)
    _applications(call, SMALL)
    small, _ = _count(official_client, reverse(name))
    _applications(call, LARGE - SMALL)
    large, response = _count(official_client, reverse(name))
    assert small == large
    assert len(response.context["applications"]) == 50
    assert response.context["page"].paginator.count == LARGE
    second = official_client.get(reverse(name), {"page": 3})
    assert len(second.context["applications"]) == LARGE - 100
    assert "page=2" in second.content.decode()  # the link back


def test_call_management_list_reads_one_page(official_client):
    for _ in range(SMALL):
        make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT)
    small, _ = _count(official_client, reverse("funding:call_manage_list"))
    for _ in range(LARGE - SMALL):
        make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT)
    large, response = _count(official_client, reverse("funding:call_manage_list"))
    assert small == large
    assert response.context["page"].paginator.count >= LARGE
    assert len(response.context["calls"]) == 50


def test_allocation_list_page_and_api(official_client):
    official = make_user(Role.REGIONAL_OFFICIAL)
    api = api_client_for(official)

    def allocations(n):
        for _ in range(n):
            call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount="1000.00")
            _applications(call, 3, status=ApplicationStatus.ADMISSIBLE)
            Application.objects.filter(call=call).update(declared_weight=1)
            services.allocation_propose(actor=official, call=call)

    allocations(3)
    page_small, _ = _count(official_client, reverse("funding:allocation_list"))
    api_small, _ = _count(api, reverse("v1:allocation-list"))
    allocations(60)
    page_large, response = _count(official_client, reverse("funding:allocation_list"))
    api_large, api_response = _count(api, reverse("v1:allocation-list"))
    assert page_small == page_large
    assert api_small == api_large
    assert {a.row_count for a in response.context["page"].object_list} == {3}
    assert {a["row_count"] for a in api_response.json()["results"]} == {3}


@pytest.mark.parametrize("name", ["v1:application-list", "v1:call-list", "v1:grant-list"])
def test_api_lists_cost_the_same_for_10_and_120_rows(name):
    api = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT)
    _applications(call, SMALL)
    for _ in range(SMALL):
        make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT)
    api.get(reverse(name))  # per-process caches (content types) filled outside the measure
    small, _ = _count(api, reverse(name))
    _applications(call, LARGE - SMALL)
    for _ in range(LARGE - SMALL):
        make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT)
    large, _ = _count(api, reverse(name))
    assert small == large
