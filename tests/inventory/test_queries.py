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
    # + the count for the paginator, the calls of the filter (count and rows), one page of devices
    # (model, owner, grant joined), their open deployments with sites and comuni.
    with django_assert_num_queries(PAGE_OVERHEAD + 5):
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
