"""Analytics pages: the device page and the site/comune page show the events per day by kind and the
latest events; a source's key is shown once; the funded page counts the devices producing output."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from inventory.demo import DEMO_ANALYTICS_KEY
from inventory.models import AnalyticsEvent, AnalyticsSource, Device, SourceKey
from portal.choices import OrganisationKind, Role
from tests.factories import OrganisationFactory, make_user
from tests.inventory.analytics_helpers import deployed_camera, event, make_source, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(client, comuni):
    camera = deployed_camera()
    issued = make_source(camera.owner)
    batch = [event(kind="crowd_density", value=3.5, zone="Piazza Castello"), event(kind="intrusion")]
    assert post(client, issued.key, batch).json()["accepted"] == 2
    return camera, issued


def test_the_device_page_shows_its_events(client, posted):
    camera, _issued = posted
    client.force_login(make_user(Role.APPLICANT, camera.owner))
    page = client.get(reverse("inventory:device_detail", args=[camera.pk])).content.decode()
    assert "Densità di folla" in page
    assert "Intrusione" in page
    assert "Piazza Castello" in page
    assert "charts-css column" in page


def test_site_and_comune_pages_show_the_events(client, posted):
    camera, _issued = posted
    client.force_login(make_user(Role.AUDITOR, OrganisationFactory(kind=OrganisationKind.REGION)))
    site = camera.assignments.get(ended_on=None).site
    by_site = client.get(reverse("inventory:analytics"), {"site": site.pk}).content.decode()
    assert "Densità di folla" in by_site
    by_comune = client.get(reverse("inventory:analytics"), {"comune": "001272"}).content.decode()
    assert "Intrusione" in by_comune
    assert camera.asset_tag in by_comune


def test_another_organisation_sees_no_events(client, posted):
    camera, issued = posted
    client.force_login(make_user(Role.APPLICANT, OrganisationFactory()))
    assert client.get(reverse("inventory:device_detail", args=[camera.pk])).status_code == 404
    assert client.get(reverse("inventory:source_detail", args=[issued.source.pk])).status_code == 404
    page = client.get(reverse("inventory:analytics"), {"comune": "001272"}).content.decode()
    assert "Intrusione" not in page


def test_a_new_source_shows_its_key_once(client, comuni):
    camera = deployed_camera()
    user = make_user(Role.INVENTORY_MANAGER, camera.owner)
    client.force_login(user)
    response = client.post(
        reverse("inventory:source_list"),
        {"owner": camera.owner.pk, "name": "Piattaforma video", "ip_allowlist": ""},
    )
    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    source = AnalyticsSource.objects.get(name="Piattaforma video")
    detail = client.get(reverse("inventory:source_detail", args=[source.pk])).content.decode()
    assert key not in detail
    assert key.split("_")[1] in detail  # the prefix identifies it
    assert "90 giorni" in detail  # the retention is stated
    rotated = client.post(reverse("inventory:source_detail", args=[source.pk]), {"overlap_hours": "2"})
    assert rotated.context["key"] != key
    assert SourceKey.objects.filter(source=source).count() == 2
    client.post(reverse("inventory:source_detail", args=[source.pk]), {"action": "revoke"})
    assert AnalyticsSource.objects.get(pk=source.pk).revoked_at is not None


def test_a_bad_allowlist_is_shown_on_the_field(client, comuni):
    camera = deployed_camera()
    client.force_login(make_user(Role.INVENTORY_MANAGER, camera.owner))
    response = client.post(
        reverse("inventory:source_list"), {"owner": camera.owner.pk, "name": "X", "ip_allowlist": "boh"}
    )
    assert response.status_code == 400
    assert "non è un indirizzo IP" in response.content.decode()
    assert not AnalyticsSource.objects.exists()


def test_an_auditor_reads_sources_and_changes_nothing(client, posted):
    _camera, issued = posted
    client.force_login(make_user(Role.AUDITOR, OrganisationFactory(kind=OrganisationKind.REGION)))
    assert client.get(reverse("inventory:source_list")).status_code == 200
    assert client.post(reverse("inventory:source_list"), {"name": "X"}).status_code == 403
    detail = reverse("inventory:source_detail", args=[issued.source.pk])
    assert client.post(detail, {"action": "revoke"}).status_code == 403
    assert AnalyticsSource.objects.get().revoked_at is None


def test_the_device_list_filters_by_output(client, posted):
    camera, _issued = posted
    client.force_login(make_user(Role.APPLICANT, camera.owner))
    producing = client.get(reverse("inventory:device_list"), {"output": "producing"}).content.decode()
    assert camera.asset_tag in producing
    never = client.get(reverse("inventory:device_list"), {"output": "never"}).content.decode()
    assert camera.asset_tag not in never


def test_the_demo_source_posts_with_the_printed_key_and_the_device_page_shows_it(client, comuni, capsys):
    call_command("seed_demo")
    assert DEMO_ANALYTICS_KEY in capsys.readouterr().out
    before = AnalyticsEvent.objects.count()
    assert before > 0
    camera = Device.objects.filter(asset_tag__startswith="VS-TO", model__kind="cctv").order_by("pk").first()
    response = post(client, DEMO_ANALYTICS_KEY, [event(camera.asset_tag, kind="abandoned_object")])
    assert response.json()["accepted"] == 1
    call_command("seed_demo")  # again: nothing stored twice
    assert AnalyticsEvent.objects.count() == before + 1
    client.force_login(make_user(Role.INVENTORY_MANAGER, camera.owner))
    page = client.get(reverse("inventory:device_detail", args=[camera.pk])).content.decode()
    assert "Oggetto abbandonato" in page
