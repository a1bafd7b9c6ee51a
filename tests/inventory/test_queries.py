"""Pinned query counts: the inventory list, the funded-vs-deployed page and the device API cost the
same number of queries for 50 devices as for many (bench/bench_inventory.py measures the time)."""

import pytest
from django.urls import reverse

from portal.choices import OrganisationKind, Role
from tests.factories import OrganisationFactory, make_user
from tests.inventory.factories import bulk_devices, municipality
from tests.inventory.grants import make_device_call, make_grant
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
SIZES = [50, 600]
# Around every logged-in page (see tests/funding/test_ledger_queries.py): session, user, memberships.
PAGE_OVERHEAD = 3


@pytest.fixture
def manager(client, comuni):
    user = make_user(Role.INVENTORY_MANAGER, OrganisationFactory(kind=OrganisationKind.REGION))
    client.force_login(user)
    client.get(reverse("home"))
    return client, user


@pytest.mark.parametrize("devices", SIZES)
def test_inventory_list_page(manager, django_assert_num_queries, devices):
    client, _ = manager
    bulk_devices(devices, owner=municipality(), history_per_device=2)
    # + the count for the paginator, the calls of the filter (one plain query: no COUNT(*), no
    # server-side cursor), one page of devices (model and owner joined), their open deployments with
    # sites and comuni.
    with django_assert_num_queries(PAGE_OVERHEAD + 4):
        response = client.get(reverse("inventory:device_list"), {"kind": "cctv"})
    assert response.context["page"].paginator.count == devices


@pytest.mark.parametrize("devices", SIZES)
def test_funded_vs_deployed_page(manager, django_assert_num_queries, devices):
    client, _ = manager
    call = make_device_call()
    for n in range(3):
        grant = make_grant(call, OrganisationFactory(name=f"Ente {n}"))
        bulk_devices(devices // 3, commitment=grant, history_per_device=2)
    # + the calls, the grants with their liquidations, the last liquidation dates, the device counts,
    # the quantities invoiced on the expense reports.
    with django_assert_num_queries(PAGE_OVERHEAD + 5):
        response = client.get(reverse("inventory:funded"), {"call": call.code})
    assert response.context["totals"]["registered"] == 3 * (devices // 3)


@pytest.mark.parametrize("devices", SIZES)
def test_device_api_list(manager, django_assert_num_queries, devices):
    _, user = manager
    bulk_devices(devices, owner=municipality())
    client = api_client_for(user)
    # The count, one page of devices, their open deployments (the roles are cached on the user).
    with django_assert_num_queries(3):
        response = client.get(reverse("v1:device-list"))
    assert response.json()["count"] == devices


def _measure(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("name", ["inventory:map", "inventory:analytics"])
def test_dashboards_cost_the_same_for_few_and_many_devices(manager, name):
    client, _ = manager
    bulk_devices(SIZES[0], owner=municipality(), history_per_device=1)
    few = _measure(client, reverse(name))
    for _ in range(3):  # more owners, so more sites and comuni too
        bulk_devices(SIZES[1] // 3, owner=OrganisationFactory(), history_per_device=1)
    assert _measure(client, reverse(name)) == few


def test_source_list_costs_the_same_for_few_and_many_sources(manager):
    from tests.inventory.analytics_helpers import make_source

    client, _ = manager
    owner = municipality()
    for n in range(2):
        make_source(owner, name=f"Centrale {n}")
    few = _measure(client, reverse("inventory:source_list"))
    for n in range(2, 12):
        make_source(OrganisationFactory() if n % 2 else owner, name=f"Centrale {n}")
    assert _measure(client, reverse("inventory:source_list")) == few


def test_device_page_costs_the_same_for_a_short_and_a_long_history(manager):
    from inventory.models import Device

    client, _ = manager
    bulk_devices(2, owner=municipality(), history_per_device=1)
    short = Device.objects.order_by("pk").first()
    bulk_devices(2, owner=municipality(), history_per_device=40)
    long = Device.objects.order_by("pk").last()
    assert long.history.count() > short.history.count()
    assert _measure(client, reverse("inventory:device_detail", args=[short.pk])) == _measure(
        client, reverse("inventory:device_detail", args=[long.pk])
    )


@pytest.mark.parametrize(
    "url",
    [
        "v1:device-model-list",
        "v1:site-list",
        "v1:deployment-list",
        "v1:analytics-source-list",
        "v1:sites-geojson",
    ],
)
def test_other_api_lists(manager, url):
    _, user = manager
    client = api_client_for(user)
    bulk_devices(SIZES[0], owner=municipality())
    client.get(reverse(url))  # the roles are read once and kept on the user
    few = _measure(client, reverse(url))
    for _ in range(3):
        bulk_devices(SIZES[1] // 3, owner=OrganisationFactory())
    assert _measure(client, reverse(url)) == few


@pytest.mark.parametrize("devices", SIZES)
def test_home_work_queue(manager, django_assert_num_queries, devices):
    """Each of the queue's five lists is read with its count in one query, whatever their length."""
    from inventory.models import Device
    from inventory.selectors import WORK_QUEUE_LIMIT

    client, _ = manager
    bulk_devices(devices, owner=municipality())
    half = Device.objects.order_by("pk").values_list("pk", flat=True)[: devices // 2]
    Device.objects.filter(pk__in=list(half)).update(status="faulty")
    with django_assert_num_queries(PAGE_OVERHEAD + 5):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert f'<span class="badge bg-primary">{devices // 2}</span>' in html
    assert html.count("/inventory/devices/") >= WORK_QUEUE_LIMIT
