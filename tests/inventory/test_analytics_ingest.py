"""Posting analytics events: one result per event, idempotent, refusing personal data field by
field, only for deployed devices of the source's organisation; whole-batch faults store nothing."""

import datetime
import json

import pytest
from django.utils import timezone

from inventory.models import AnalyticsEvent, DeviceDailyStat
from inventory.services.partitions import events_purge
from tests.factories import MunicipalityFactory
from tests.inventory.analytics_helpers import URL, deployed_camera, event, make_source, post
from tests.inventory.factories import cuneo, municipality, register
from tests.utils import within_one_clock_minute

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(comuni):
    return deployed_camera()


@pytest.fixture
def issued(camera):
    return make_source(camera.owner)


def test_a_batch_is_stored_and_a_repeated_batch_changes_nothing(client, camera, issued):
    batch = [event(), event(kind="crowd_density", value=2.5), event(kind="heartbeat")]
    first = post(client, issued.key, batch)
    assert first.status_code == 200
    assert first.json()["accepted"] == 3
    assert [r["status"] for r in first.json()["results"]] == ["accepted"] * 3
    again = post(client, issued.key, batch)
    assert again.json()["duplicate"] == 3
    assert again.json()["accepted"] == 0
    assert AnalyticsEvent.objects.count() == 3
    camera.refresh_from_db()
    assert camera.last_seen_at is not None


def test_the_same_event_twice_in_a_batch_is_stored_once(client, camera, issued):
    one = event()
    response = post(client, issued.key, [one, one])
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "duplicate"]
    assert AnalyticsEvent.objects.count() == 1


def test_a_bad_event_never_blocks_the_good_ones(client, camera, issued):
    response = post(client, issued.key, [event(), event(kind="selfie"), event()])
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["accepted", "rejected", "accepted"]
    assert "kind" in response.json()["results"][1]["errors"]
    assert AnalyticsEvent.objects.count() == 2


def test_a_plate_or_an_image_is_refused_field_by_field_in_italian(client, camera, issued):
    bad = event(zone="Varco AB 123 CD", plate="AB123CD", image="iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ")
    response = post(client, issued.key, [bad])
    errors = response.json()["results"][0]["errors"]
    assert set(errors) == {"zone", "plate", "image"}
    assert "targa" in errors["zone"][0]
    assert "Campo non ammesso" in errors["plate"][0]
    assert AnalyticsEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("zone", "word"),
    [
        ("RSSMRA85T10A562S", "codice fiscale"),
        ("Corsia TO 123456", "targa"),
        ("person_id 4711", "persona"),
        ("face 12", "persona"),
        ("mario.rossi@example.org", "e-mail"),
        ("data:image/jpeg;base64,/9j/4AAQ", "immagine"),
        ("\x00\x01\x02binary", "immagine"),
    ],
)
def test_each_kind_of_personal_data_is_refused(client, camera, issued, zone, word):
    response = post(client, issued.key, [event(zone=zone)])
    result = response.json()["results"][0]
    assert result["status"] == "rejected"
    assert word in result["errors"]["zone"][0]
    assert AnalyticsEvent.objects.count() == 0


def test_events_in_the_future_or_past_the_retention_are_refused(client, camera, issued):
    response = post(client, issued.key, [event(minutes_ago=-60), event(minutes_ago=60 * 24 * 91)])
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "futuro" in results[0]["errors"]["occurred_at"][0]
    assert "conservazione" in results[1]["errors"]["occurred_at"][0]


def test_a_time_without_offset_and_an_oversized_event_are_refused(client, camera, issued):
    naive = event(occurred_at=timezone.now().replace(tzinfo=None).isoformat())
    big = event(zone="x" * 100, confidence=0.5, value=1.0)
    big["severity"] = "low" + " " * 1200
    response = post(client, issued.key, [naive, big])
    results = response.json()["results"]
    assert "occurred_at" in results[0]["errors"]
    assert "__all__" in results[1]["errors"]


def test_a_source_is_refused_for_another_organisations_device(client, camera, comuni):
    other = municipality(cuneo())
    deployed_camera(other, tag="CN-CCTV-0001")
    source = make_source(other)
    response = post(client, source.key, [event("TO-CCTV-0001"), event("CN-CCTV-0001")])
    results = response.json()["results"]
    assert results[0]["status"] == "rejected"
    assert "Comune di Cuneo" in results[0]["errors"]["device"][0]
    assert results[1]["status"] == "accepted"
    assert AnalyticsEvent.objects.get().device.asset_tag == "CN-CCTV-0001"


def test_a_device_not_deployed_is_refused(client, camera, issued):
    register(owner=camera.owner, serial="CAM-STOCK", asset_tag="TO-CCTV-0002")
    response = post(client, issued.key, [event("TO-CCTV-0002"), event("CAM-TO-CCTV-0001")])
    results = response.json()["results"]
    assert (
        "non installato" in results[0]["errors"]["device"][0]
        or "deployed" in results[0]["errors"]["device"][0]
    )
    assert results[1]["status"] == "accepted"  # by its serial number


def test_whole_batch_faults_store_nothing(client, camera, issued, settings):
    assert post(client, issued.key, b"[{not json").status_code == 400
    assert post(client, issued.key, []).status_code == 400
    settings.ANALYTICS_BATCH_MAX_EVENTS = 2
    assert post(client, issued.key, [event(), event(), event()]).status_code == 413
    settings.ANALYTICS_BATCH_MAX_BYTES = 100
    assert post(client, issued.key, [event()]).status_code == 413
    assert AnalyticsEvent.objects.count() == 0


def test_ndjson_is_accepted(client, camera, issued):
    body = "\n".join(json.dumps(e) for e in [event(), event(kind="tampering")]) + "\n"
    response = post(client, issued.key, body, content_type="application/x-ndjson")
    assert response.json()["accepted"] == 2


def test_without_or_with_a_wrong_key_nothing_is_stored(client, camera, issued):
    assert client.post(URL, json.dumps([event()]), content_type="application/json").status_code == 401
    assert post(client, issued.key + "x", [event()]).status_code == 401
    assert post(client, "snt_nothing_here", [event()]).status_code == 401
    assert AnalyticsEvent.objects.count() == 0


def test_the_rate_limit_answers_429_with_retry_after(client, camera, issued, settings):
    settings.ANALYTICS_BATCHES_PER_MINUTE = 2
    within_one_clock_minute()  # the limit counts per minute of the clock
    assert post(client, issued.key, [event()]).status_code == 200
    assert post(client, issued.key, [event()]).status_code == 200
    refused = post(client, issued.key, [event()])
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert AnalyticsEvent.objects.count() == 2


def test_daily_figures_equal_the_raw_events(client, camera, issued):
    batch = [event(kind="crowd_density", value=v, minutes_ago=1 + i) for i, v in enumerate([1.0, 3.0, 2.0])]
    batch += [event(kind="intrusion", minutes_ago=10), event(kind="intrusion", minutes_ago=11)]
    post(client, issued.key, batch)
    post(client, issued.key, batch)  # repeated: the figures do not move
    post(client, issued.key, [event(kind="crowd_density", value=6.0, minutes_ago=2)])
    density = DeviceDailyStat.objects.filter(kind="crowd_density")
    assert sum(d.count for d in density) == AnalyticsEvent.objects.filter(kind="crowd_density").count() == 4
    assert max(d.value_max for d in density) == 6.0
    total = sum(d.value_sum for d in density) / sum(d.value_count for d in density)
    assert total == pytest.approx(3.0)
    assert sum(d.count for d in DeviceDailyStat.objects.filter(kind="intrusion")) == 2


def test_retention_deletes_old_raw_events_and_keeps_the_daily_figures(client, camera, issued, settings):
    post(client, issued.key, [event(minutes_ago=60 * 24 * 10), event(minutes_ago=30)])
    settings.ANALYTICS_RETENTION_DAYS = 5
    events_purge()
    assert AnalyticsEvent.objects.count() == 1
    assert sum(DeviceDailyStat.objects.values_list("count", flat=True)) == 2


def test_the_ip_allowlist_refuses_other_addresses(client, comuni):
    camera = deployed_camera(MunicipalityFactory(name="Comune di Prova"), tag="PR-1")
    source = make_source(camera.owner, ip_allowlist="192.0.2.0/24")
    assert post(client, source.key, [event("PR-1")], REMOTE_ADDR="198.51.100.7").status_code == 401
    assert post(client, source.key, [event("PR-1")], REMOTE_ADDR="192.0.2.40").status_code == 200


def test_old_events_are_kept_on_their_day(client, camera, issued):
    when = timezone.now() - datetime.timedelta(days=3)
    post(client, issued.key, [event(occurred_at=when.isoformat())])
    assert DeviceDailyStat.objects.get().day == timezone.localtime(when).date()


def test_a_plate_as_device_reference_is_refused_and_named(client, camera, issued):
    response = post(client, issued.key, [event("AB123CD")])
    assert "targa" in response.json()["results"][0]["errors"]["device"][0]


def test_zone_names_with_quotes_commas_and_braces_are_stored_as_sent(client, camera, issued):
    zone = 'Varco "A", lato {nord} \\ sud'
    response = post(client, issued.key, [event(zone=zone), event(zone="")])
    assert response.json()["accepted"] == 2
    assert sorted(AnalyticsEvent.objects.values_list("zone", flat=True)) == ["", zone]
