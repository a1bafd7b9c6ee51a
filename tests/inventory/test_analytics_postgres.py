"""Analytics storage on PostgreSQL: identical batches racing are stored once, the monthly
partitions roll over ahead and retention drops whole partitions."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from inventory.models import AnalyticsEvent, DeviceDailyStat
from inventory.services.partitions import (
    add_months,
    ensure_partitions,
    events_maintain,
    month_start,
    partition_name,
    partitions,
)
from tests.funding.test_ledger_race import race
from tests.inventory.analytics_helpers import deployed_camera, event, make_source, post
from tests.utils import requires_postgres

pytestmark = [pytest.mark.postgres, requires_postgres]


@pytest.mark.django_db(transaction=True)
def test_two_identical_batches_at_once_are_stored_once(comuni):
    camera = deployed_camera()
    issued = make_source(camera.owner)
    batch = [event(kind="crowd_density", value=float(i), minutes_ago=i + 1) for i in range(200)]

    def send(_):
        return post(Client(), issued.key, batch).json()

    results = race(send, 4)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["accepted"] for r in results) == 200
    assert sum(r["duplicate"] for r in results) == 600
    assert AnalyticsEvent.objects.count() == 200
    assert sum(DeviceDailyStat.objects.values_list("count", flat=True)) == 200


@pytest.mark.django_db(transaction=True)
def test_an_event_id_sent_again_with_another_time_is_a_duplicate(comuni):
    camera = deployed_camera()
    issued = make_source(camera.owner)
    first = event(minutes_ago=5)
    post(Client(), issued.key, [first])
    moved = {**first, "occurred_at": (timezone.now() - datetime.timedelta(days=40)).isoformat()}
    response = post(Client(), issued.key, [moved])
    assert response.json()["results"][0]["status"] == "duplicate"
    assert AnalyticsEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_partitions_roll_over_and_retention_drops_whole_months(comuni, settings):
    camera = deployed_camera()
    issued = make_source(camera.owner)
    now = timezone.now()
    this_month = month_start(now)
    # Months ahead exist after the job; the events table is really partitioned.
    events_maintain(now=now)
    months = partitions()
    assert add_months(this_month, 3) in months
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'inventory_analyticsevent'")
        assert cursor.fetchone()[0] == "p"
    # A year later the job creates the new months and, with 90 days of retention, drops the old ones.
    settings.ANALYTICS_RETENTION_DAYS = 90
    post(Client(), issued.key, [event(minutes_ago=60 * 24 * 80), event(minutes_ago=10)])
    assert AnalyticsEvent.objects.count() == 2
    later = now + datetime.timedelta(days=30)
    run = events_maintain(now=later)
    assert add_months(month_start(later), 3) in partitions()
    assert all(add_months(m, 1) <= month_start(later - datetime.timedelta(days=90)) for m in run.dropped)
    assert run.dropped  # the months wholly past the retention are gone
    remaining = AnalyticsEvent.objects.values_list("occurred_at", flat=True)
    cutoff = later - datetime.timedelta(days=90)
    assert all(at >= cutoff for at in remaining)
    assert AnalyticsEvent.objects.count() == 1
    assert sum(DeviceDailyStat.objects.values_list("count", flat=True)) == 2  # the figures stay
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [partition_name(run.dropped[0])])
        assert cursor.fetchone()[0] is None


@pytest.mark.django_db(transaction=True)
def test_an_event_in_a_month_without_partition_gets_one(comuni):
    camera = deployed_camera()
    issued = make_source(camera.owner)
    now = timezone.now()
    month = month_start(now)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {partition_name(month)}")
    from inventory.services import partitions as module

    module._known_months.clear()
    response = post(Client(), issued.key, [event(event_id=str(uuid.uuid4()), minutes_ago=1)])
    assert response.json()["accepted"] == 1
    assert month in partitions()
    ensure_partitions(first=month, last=month)  # idempotent
