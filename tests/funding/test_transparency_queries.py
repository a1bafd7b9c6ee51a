"""The public transparency page, its downloads and the allocation page cost the same however many
grants are published and however big the allocation's stored inputs (issue 14): one page is read in
SQL, the downloads are streamed, and the candidates' weights are never loaded."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.choices import AllocationMethod
from funding.selectors.transparency import grants_pending_publication
from funding.services import allocation as services
from funding.services.transparency import grants_publish
from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_admitted, make_allocation_call
from tests.funding.test_scenarios import TODAY

pytestmark = pytest.mark.django_db
SIZES = (10, 120)  # 120: more than two pages of 50
RAW_INPUTS = re.compile(r'"funding_allocation"\."inputs"(?!\s*-\s*\'candidates\')')


def _published_allocation(rows: int):
    """A declared-weight split over `rows` bodies, adopted and published through the services."""
    official = make_user(Role.REGIONAL_OFFICIAL)
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount=f"{rows * 2000}.00")
    for n in range(rows):
        make_admitted(call, OrganisationFactory(name=f"Comune {n:04d}"), declared_weight=1)
    allocation = services.allocation_propose(actor=official, call=call)
    services.allocation_adopt(
        actor=official, allocation=allocation, act_number=f"{rows}/2030", act_date=TODAY
    )
    grants_publish(actor=official, commitments=list(grants_pending_publication()))
    return allocation


def _loads_raw_inputs(queries) -> list[str]:
    """The statements that read the stored inputs themselves (json_remove / `- 'candidates'` is the
    summary computed by the database, allowed)."""
    return [
        q["sql"]
        for q in queries
        if RAW_INPUTS.search(q["sql"]) and "json_remove" not in q["sql"] and q["sql"].startswith("SELECT")
    ]


def _measure(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    return len(ctx.captured_queries), body, ctx.captured_queries


@pytest.mark.parametrize(
    ("fmt", "expected_rows"),
    [("", lambda n: min(n, 50)), ("json", lambda n: n), ("csv", lambda n: n)],
)
def test_transparency_page_and_downloads_cost_the_same_for_10_and_120_grants(client, fmt, expected_rows):
    url = reverse("funding:transparency")
    counts = []
    for rows in SIZES:
        allocation = _published_allocation(rows)
        assert allocation.status == "adopted"
        params = {"format": fmt, "year": TODAY.year} if fmt else {"year": TODAY.year}
        n, body, queries = _measure(client, url, params)
        assert not _loads_raw_inputs(queries), "the allocation's inputs were loaded"
        if fmt == "json":
            assert len(json.loads(body)["grants"]) >= expected_rows(rows)
        elif fmt == "csv":
            assert body.decode("utf-8-sig").count("\n") >= expected_rows(rows) + 1
        else:
            assert body.decode().count("Comune 0") >= expected_rows(rows)
        counts.append(n)
    assert counts[0] == counts[1]


def test_allocation_page_reads_the_parameters_without_the_candidates(client):
    counts = []
    for rows in SIZES:
        allocation = _published_allocation(rows)
        client.force_login(make_user(Role.AUDITOR))
        url = reverse("funding:allocation_detail", args=[allocation.pk])
        n, body, queries = _measure(client, url)
        assert not _loads_raw_inputs(queries), "the allocation's inputs were loaded"
        assert body.decode().count("Comune 0") >= min(rows, 50)
        counts.append(n)
    assert counts[0] == counts[1]


def test_inputs_summary_is_the_inputs_without_candidates():
    from funding.selectors import allocation_list

    allocation = _published_allocation(3)
    listed = allocation_list(user=make_user(Role.AUDITOR)).get(pk=allocation.pk)
    allocation.refresh_from_db()
    assert "candidates" in allocation.inputs
    expected = {k: v for k, v in allocation.inputs.items() if k != "candidates"}
    assert listed.inputs_summary == expected == allocation.inputs_summary
    assert "method" in expected


def test_publish_queue_reads_one_page_in_sql(client):
    """The official's queue of grants to publish: 50 a page, the same queries for 10 as for 120."""
    from tests.funding.factories import make_commitment, make_reservation

    official = make_user(Role.REGIONAL_OFFICIAL)
    client.force_login(official)
    client.get(reverse("home"))  # the session's first write happens here, not in the measured request
    reservation = make_reservation("1000000.00")
    url = reverse("funding:transparency_publish")

    def grants(n):
        for _ in range(n):
            make_commitment("1500.00", reservation=reservation, published=False)

    grants(SIZES[0])
    small, body, _ = _measure(client, url)
    assert body.decode().count('name="grant"') == SIZES[0]
    grants(SIZES[1] - SIZES[0])
    large, body, _ = _measure(client, url)
    assert small == large
    assert body.decode().count('name="grant"') == 50
    third = client.get(url, {"page": 3})
    assert third.content.decode().count('name="grant"') == SIZES[1] - 100
    assert third.context["page"].paginator.count == SIZES[1]
