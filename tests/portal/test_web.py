"""Pages: Italian by default, English on request, a home per role, 2FA, errors in the layout."""

import pytest
from django.test import override_settings
from django.urls import reverse

from portal.choices import Role
from tests.factories import TEST_PASSWORD, OrganisationFactory, make_user
from tests.utils import external_assets, totp_code

pytestmark = pytest.mark.django_db

HOME_HEADINGS = {
    Role.REGIONAL_OFFICIAL: "Funzionario regionale",
    Role.APPLICANT: "Richiedente",
    Role.AUDITOR: "Revisore",
    Role.EU_PROJECT_MANAGER: "Responsabile progetti UE",
    Role.INVENTORY_MANAGER: "Responsabile inventario",
    Role.ADMINISTRATOR: "Amministratore",
}


def test_public_home_is_italian(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="it">' in html
    assert "Accedi" in html
    assert "/static/css/bootstrap-italia.min.css" in html
    assert external_assets(html) == []


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_has_a_home_page_in_italian(client, role):
    org = OrganisationFactory(name="Ente di prova")
    user = make_user(role, org)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert HOME_HEADINGS[role] in html
    assert "Ente di prova" in html  # the header names the organisation and role


def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_official_logs_in_with_password_and_totp(client):
    official = make_user(Role.REGIONAL_OFFICIAL)
    response = client.post(reverse("account_login"), {"login": official.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/").content.decode().count("Funzionario regionale") == 0  # not logged in yet
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert "Funzionario regionale" in client.get("/").content.decode()


def test_official_without_totp_is_sent_to_set_it_up(client):
    official = make_user(Role.REGIONAL_OFFICIAL, mfa=False)
    client.force_login(official)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    api = client.get(reverse("v1:me"))
    assert api.status_code == 403


def test_applicant_does_not_need_totp(client):
    applicant = make_user(Role.APPLICANT)
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_page_is_styled_and_italian(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "bootstrap-italia.min.css" in html
    assert 'class="form-control' in html
    assert "Accedi" in html


@override_settings(SESSION_COOKIE_AGE=60)
def test_session_ends_after_idle_timeout(client, monkeypatch):
    import time

    user = make_user(Role.APPLICANT)
    client.force_login(user)
    assert client.get("/").status_code == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 120)
    response = client.get("/")
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def _session_writes(client, url="/") -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT"))


def test_a_page_writes_the_session_once_a_minute_not_at_every_request(client, monkeypatch):
    import time

    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    assert _session_writes(client) == 1  # the first request records the activity (and the TOTP seen)
    assert _session_writes(client) == 0
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    assert _session_writes(client) == 1  # a minute on: the last request is recorded again
    assert _session_writes(client) == 0


@override_settings(SESSION_COOKIE_AGE=300)
def test_idle_time_counts_from_the_last_request_recorded_each_minute(client, monkeypatch):
    import time

    client.force_login(make_user(Role.APPLICANT))
    real_time = time.time
    for minutes in (0, 4, 8):  # a request every 4 minutes keeps a 5-minute session alive
        monkeypatch.setattr(time, "time", lambda m=minutes: real_time() + 60 * m)
        assert client.get("/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: real_time() + 60 * 14)  # 6 minutes idle
    assert client.get("/").status_code == 302


def test_a_removed_totp_is_noticed_within_a_minute(client, monkeypatch):
    import time

    from allauth.mfa.models import Authenticator

    official = make_user(Role.REGIONAL_OFFICIAL)
    client.force_login(official)
    assert client.get("/").status_code == 200
    Authenticator.objects.filter(user=official).delete()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_404_page_is_in_the_layout(client):
    response = client.get("/non-esiste/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Pagina non trovata" in html
    assert "bootstrap-italia.min.css" in html


def test_403_page_is_in_the_layout(client):
    client.force_login(make_user(Role.APPLICANT))
    response = client.get("/admin/")
    assert response.status_code in (302, 403)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["status"] == "ok"


def test_healthz_503_when_broker_unreachable(client, settings):
    settings.JOBS_EMBEDDED = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["status"] == "error"


def test_staff_without_totp_cannot_reach_the_admin(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
