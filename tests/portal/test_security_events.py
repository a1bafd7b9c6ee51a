"""Security events in the audit trail (issue 9, item 7): refused access to an object that exists (403,
or 404 when it is hidden from the caller), wrong TOTP codes and logins refused while rate-limited are
recorded, under their own rate limit (a flood cannot swamp the chain); auditors filter for them."""

import pytest
from django.urls import reverse

from portal.audit import audit_verify_chain
from portal.choices import Role
from portal.models import AuditEvent
from portal.security import ACCESS_DENIED, LOGIN_RATE_LIMITED, OBJECT_HIDDEN, RATE_LIMITED, TOTP_FAILED
from tests.factories import TEST_PASSWORD, make_user
from tests.funding.factories_calls import make_applicant, make_call, make_draft
from tests.utils import api_client_for, totp_code, within_one_clock_minute

pytestmark = [pytest.mark.django_db, pytest.mark.security_events]


def security_events(action=None):
    qs = AuditEvent.objects.filter(action__startswith="security.").order_by("seq")
    return qs.filter(action=action) if action else qs


@pytest.fixture
def application():
    return make_draft(make_call())


def test_a_hidden_object_is_recorded_and_a_missing_one_is_not(client, application):
    stranger = make_applicant()[0]
    client.force_login(stranger)
    assert client.get(reverse("funding:application_detail", args=[application.pk])).status_code == 404
    event = security_events(OBJECT_HIDDEN).get()
    assert event.actor_id == stranger.pk
    assert event.after["object"] == {"model": "funding.Application", "id": str(application.pk)}
    assert event.after["path"] == f"/funding/applications/{application.pk}/"
    assert client.get(reverse("funding:application_detail", args=[application.pk + 999])).status_code == 404
    assert security_events(OBJECT_HIDDEN).count() == 1  # nothing there: not an event


def test_the_api_records_a_hidden_object_too(application):
    stranger = make_applicant()[0]
    response = api_client_for(stranger).get(f"/api/v1/applications/{application.pk}/")
    assert response.status_code == 404
    event = security_events(OBJECT_HIDDEN).get()
    assert (event.actor_id, event.source) == (stranger.pk, "api")
    assert api_client_for(stranger).get(f"/api/v1/applications/{application.pk + 999}/").status_code == 404
    assert security_events(OBJECT_HIDDEN).count() == 1


def test_a_403_is_recorded(client):
    auditor = make_user(Role.AUDITOR)
    client.force_login(auditor)
    response = client.post(reverse("funding:transparency_publish"), {"grant": ["1"]})
    assert response.status_code == 403
    event = security_events(ACCESS_DENIED).get()
    assert (event.actor_id, event.after["method"], event.after["status"]) == (auditor.pk, "POST", 403)


def test_a_wrong_totp_code_is_recorded(client):
    official = make_user(Role.REGIONAL_OFFICIAL)
    client.post(reverse("account_login"), {"login": official.email, "password": TEST_PASSWORD})
    wrong = str((int(totp_code()) + 1) % 1_000_000).zfill(6)
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200  # the form again, with its error
    event = security_events(TOTP_FAILED).get()
    assert event.actor_id == official.pk
    assert not AuditEvent.objects.filter(action="auth.login", actor=official).exists()


def test_a_login_refused_while_rate_limited_is_recorded(client):
    user = make_user(Role.APPLICANT)
    for _attempt in range(5):  # ACCOUNT_RATE_LIMITS: 5 failures in 5 minutes per account
        client.post(reverse("account_login"), {"login": user.email, "password": "sbagliata"})
    assert not security_events(LOGIN_RATE_LIMITED).exists()
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200  # refused, even with the right password
    event = security_events(LOGIN_RATE_LIMITED).get()
    assert event.after["login"] == user.email


def test_a_flood_cannot_swamp_the_chain(client, application, settings):
    settings.SECURITY_EVENTS_PER_MINUTE = 5
    stranger = make_applicant()[0]
    client.force_login(stranger)
    url = reverse("funding:application_detail", args=[application.pk])
    within_one_clock_minute()  # the limit counts per minute of the clock
    for _request in range(40):
        assert client.get(url).status_code == 404
    assert security_events(OBJECT_HIDDEN).count() == 5
    limited = security_events(RATE_LIMITED).get()
    assert limited.after["suppressed"] == OBJECT_HIDDEN
    assert audit_verify_chain().ok
    # Another caller is still recorded.
    client.force_login(make_applicant()[0])
    client.get(url)
    assert security_events(OBJECT_HIDDEN).count() == 6


def test_the_global_limit_caps_many_callers(client, application, settings):
    settings.SECURITY_EVENTS_GLOBAL_PER_MINUTE = 3
    url = reverse("funding:application_detail", args=[application.pk])
    for _caller in range(6):
        client.force_login(make_applicant()[0])
        client.get(url)
    assert security_events(OBJECT_HIDDEN).count() == 3
    assert security_events(RATE_LIMITED).get().after["scope"] == "all"


def test_the_auditor_filters_the_security_events(client, application):
    stranger = make_applicant()[0]
    client.force_login(stranger)
    client.get(reverse("funding:application_detail", args=[application.pk]))
    auditor = make_user(Role.AUDITOR)
    client.force_login(auditor)
    page = client.get(reverse("reporting:audit_list")).content.decode()
    assert 'name="security"' in page
    assert "application.created" in page
    page = client.get(reverse("reporting:audit_list"), {"security": "on"}).content.decode()
    assert OBJECT_HIDDEN in page
    assert "application.created" not in page
    data = api_client_for(auditor).get("/api/v1/audit-events/", {"security": "true"}).json()
    assert {row["action"] for row in data["results"]} == {OBJECT_HIDDEN}


@pytest.mark.parametrize("role", [Role.EU_PROJECT_MANAGER, Role.INVENTORY_MANAGER])
def test_a_denied_call_adds_only_its_security_event(client, role):
    """Refused, a write changes nothing but the security event that says so."""
    client.force_login(make_user(role))
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = client.post(reverse("funding:transparency_publish"), {"step": "confirm", "grant": ["1"]})
    assert response.status_code == 403
    added = AuditEvent.objects.exclude(pk__in=before)
    assert list(added.values_list("action", flat=True)) == [ACCESS_DENIED]


def test_an_inventory_device_hidden_from_another_organisation_is_recorded(client):
    """The inventory's pages record a hidden object as funding's do: the device, its label."""
    from tests.inventory.factories import DeviceFactory

    device = DeviceFactory()
    stranger = make_user(Role.INVENTORY_MANAGER)
    client.force_login(stranger)
    for name in ("inventory:device_detail", "inventory:device_label"):
        assert client.get(reverse(name, args=[device.pk])).status_code == 404
    events = list(security_events(OBJECT_HIDDEN))
    assert [e.after["object"] for e in events] == [{"model": "inventory.Device", "id": str(device.pk)}] * 2
    assert all(e.actor_id == stranger.pk for e in events)
    assert client.get(reverse("inventory:device_detail", args=[device.pk + 999])).status_code == 404
    assert security_events(OBJECT_HIDDEN).count() == 2
