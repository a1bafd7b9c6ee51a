"""Pinned query counts: the ledger pages and list endpoints cost the same for 10 rows as for 1,000."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.choices import Role
from portal.models import User
from tests.factories import make_user
from tests.funding.factories import bulk_ledger
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
ROWS = [10, 1000]


@pytest.fixture
def official_client(client):
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    client.get(reverse("home"))  # the session's first write happens here, not in the measured request
    return client


# Every logged-in page costs 3 queries around the view: the session, the user, their memberships (roles,
# cached for the request). The TOTP check of RequireMFAMiddleware and the idle-timeout middleware's
# record of the last request live in the session, renewed (one write) once a minute, not per request.
PAGE_OVERHEAD = 3


@pytest.mark.parametrize("rows", ROWS)
def test_chapter_status_page(official_client, django_assert_num_queries, rows):
    bulk_ledger(rows)
    # + the years of the selector, the chapters with their figures (the totals row is their sum).
    with django_assert_num_queries(PAGE_OVERHEAD + 2):
        response = official_client.get(reverse("funding:chapter_status"), {"year": 2030})
    assert len(response.context["chapters"]) == rows
    totals = response.context["totals"]
    assert totals["reserved"] == Decimal("1000.00") * rows
    assert totals["liquidated"] == Decimal("200.00") * rows
    assert totals["available"] == Decimal("4000.00") * rows


@pytest.mark.parametrize("rows", ROWS)
def test_programme_tree_page(official_client, django_assert_num_queries, rows):
    ledger = bulk_ledger(rows)
    programme = ledger["action"].axis.programme
    # + the programme, its axes, their actions, the actions' reservations with figures and chapters.
    with django_assert_num_queries(PAGE_OVERHEAD + 4):
        response = official_client.get(reverse("funding:programme_detail", args=[programme.pk]))
    assert response.content.decode().count("funding/reservations/") == rows


@pytest.mark.parametrize("rows", ROWS)
def test_commitment_list_page(official_client, django_assert_num_queries, rows):
    bulk_ledger(rows)
    # + the count for the paginator and one page of commitments with their figures.
    with django_assert_num_queries(PAGE_OVERHEAD + 2):
        response = official_client.get(reverse("funding:commitment_list"), {"year": 2030})
    assert response.context["page"].paginator.count == rows


def bulk_programmes(rows: int) -> None:
    """`rows` programmes, each with an axis and an action (structure only)."""
    import datetime

    from funding.models import Action, Axis, Programme

    programmes = Programme.objects.bulk_create(
        Programme(
            title=f"Programma {n}",
            legal_basis="L.R. 23/2007",
            act_label=f"DCR n. {n}",
            act_number=f"{n}-2030",
            act_date=datetime.date(2030, 1, 1),
            start_year=2030,
            end_year=2032,
        )
        for n in range(rows)
    )
    axes = Axis.objects.bulk_create(Axis(programme=p, number=1, title="Asse") for p in programmes)
    Action.objects.bulk_create(
        Action(axis=a, number=1, title="Azione", start_year=2030, end_year=2032) for a in axes
    )


# With a token or a forced authentication the API costs one query before the view: the caller's
# memberships (their roles). Each list then counts the rows for the paginator and reads one page;
# programmes read their axes and actions in one query each (prefetch).
@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("programme", 2 + 2),  # any logged-in user: no roles to read
        ("chapter", 1 + 2),
        ("reservation", 1 + 2),
        ("commitment", 1 + 2),
        ("liquidation", 1 + 2),
        ("economy", 1 + 2),
    ],
)
def test_list_endpoints(django_assert_num_queries, rows, name, expected):
    if name == "programme":
        bulk_programmes(rows)
        params = {}
    else:
        bulk_ledger(rows)
        params = {"year": 2030}
    client = api_client_for(User.objects.get(pk=make_user(Role.REGIONAL_OFFICIAL).pk))
    with django_assert_num_queries(expected):
        response = client.get(reverse(f"v1:{name}-list"), params)
    body = response.json()
    assert body["count"] == rows
    assert len(body["results"]) == min(rows, 50)


@pytest.mark.parametrize("rows", ROWS)
def test_an_applicants_commitment_list(django_assert_num_queries, rows):
    ledger = bulk_ledger(rows)
    bulk_ledger(5, year=2031)  # someone else's
    applicant = make_user(Role.APPLICANT, ledger["beneficiary"])
    client = api_client_for(User.objects.get(pk=applicant.pk))
    with django_assert_num_queries(1 + 2):
        response = client.get(reverse("v1:commitment-list"))
    assert response.json()["count"] == rows
