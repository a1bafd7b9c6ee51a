"""Accounts behind a SPID/CIE login: linking by codice fiscale only after proof, never by e-mail
alone; TOTP after level 1 for officials, level 2 and CIE as two factors; e-mail login closed to
applicants when the setting says so."""

import re

import pytest
from django.core import mail

from portal.choices import Role
from portal.models import AuditEvent, User
from tests.factories import TEST_PASSWORD, make_user
from tests.saml_idp import MARIO, parse_form
from tests.utils import totp_code

pytestmark = pytest.mark.django_db

MARIO_CF = "RSSMRA70A01L219K"


def spid_login(client, idp, *, level=1, attributes=None, **params):
    form = parse_form(client.get("/spid/login/", {"idp": idp.entity_id, **params}).content.decode())
    return client.post("/spid/acs/", idp.answer(form, level=level, attributes=attributes))


def logged_in_as(client):
    user = client.get("/").wsgi_request.user
    return user if user.is_authenticated else None


def test_existing_account_with_the_same_codice_fiscale_is_linked_only_after_its_password(client, saml):
    existing = make_user(Role.APPLICANT, email="m.rossi@comune.example.org", tax_code=MARIO_CF)
    response = spid_login(client, saml.spid)
    assert response.url == "/spid/link/"
    assert logged_in_as(client) is None
    page = client.get("/spid/link/").content.decode()
    assert "m***@comune.example.org" in page

    wrong = client.post("/spid/link/", {"action": "password", "password": "not-the-password"})
    assert wrong.status_code == 400
    assert logged_in_as(client) is None
    existing.refresh_from_db()
    assert existing.saml_linked_at is None

    right = client.post("/spid/link/", {"action": "password", "password": TEST_PASSWORD})
    assert right.status_code == 302
    assert logged_in_as(client) == existing
    existing.refresh_from_db()
    assert existing.saml_linked_at is not None
    assert User.objects.count() == 1
    linked = AuditEvent.objects.get(action="auth.saml_linked")
    assert linked.after["proof"] == "password"

    # From now on a SPID login opens the account directly.
    client.post("/accounts/logout/")
    assert spid_login(client, saml.spid).url == "/"
    assert logged_in_as(client) == existing


def test_same_email_is_never_enough_to_open_an_account(client, saml):
    existing = make_user(Role.APPLICANT, email="mario.rossi@example.org")  # the IdP's e-mail, no CF stored
    response = spid_login(client, saml.spid)
    assert response.url == "/spid/link/"
    assert logged_in_as(client) is None
    assert User.objects.count() == 1
    client.post("/spid/link/", {"action": "cancel"})
    existing.refresh_from_db()
    assert (existing.tax_code, existing.saml_linked_at) == ("", None)
    assert logged_in_as(client) is None


def test_linking_by_a_link_sent_to_the_accounts_email(client, saml):
    existing = make_user(Role.APPLICANT, email="mario.rossi@example.org")
    spid_login(client, saml.spid)
    client.post("/spid/link/", {"action": "email"})
    assert mail.outbox[-1].to == ["mario.rossi@example.org"]
    url = re.search(r"https?://\S+/spid/link/\S+/", mail.outbox[-1].body).group(0)
    path = url.split("testserver", 1)[-1]

    from django.test import Client

    stranger = Client()  # the link alone, in another browser, proves nothing
    assert stranger.post(path).status_code == 302
    existing.refresh_from_db()
    assert existing.saml_linked_at is None

    assert client.get(path).status_code == 200
    client.post(path)
    existing.refresh_from_db()
    assert existing.tax_code == MARIO_CF
    assert existing.saml_linked_at is not None
    assert logged_in_as(client) == existing
    assert AuditEvent.objects.get(action="auth.saml_linked").after["proof"] == "email"


def test_a_logged_in_user_links_spid_from_their_session(client, saml):
    existing = make_user(Role.APPLICANT, email="altro@example.org")
    client.login(email=existing.email, password=TEST_PASSWORD)
    response = spid_login(client, saml.spid, link="1")
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.tax_code == MARIO_CF
    assert AuditEvent.objects.get(action="auth.saml_linked").after["proof"] == "session"


def test_official_keeps_totp_after_a_level_1_login(client, saml):
    official = make_user(Role.REGIONAL_OFFICIAL, email="funz@example.org", tax_code=MARIO_CF)
    User.objects.filter(pk=official.pk).update(saml_linked_at="2026-01-01T00:00:00Z")
    response = spid_login(client, saml.spid, level=1)
    assert response.url == "/accounts/2fa/authenticate/"
    assert logged_in_as(client) is None
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert logged_in_as(client) == official
    login = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert login.after == {"method": "spid", "idp": "https://idp.test/", "level": 1, "factors": 2}


def test_level_2_counts_as_two_factors(client, saml, settings):
    settings.SPID_LEVEL = 2
    official = make_user(Role.REGIONAL_OFFICIAL, email="funz@example.org", tax_code=MARIO_CF)
    User.objects.filter(pk=official.pk).update(saml_linked_at="2026-01-01T00:00:00Z")
    response = spid_login(client, saml.spid, level=2)
    assert response.url == "/"
    assert logged_in_as(client) == official
    assert client.get("/").status_code == 200  # no detour to the TOTP page
    assert client.session["saml_sso"]["level"] == 2
    login = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert login.after == {"method": "spid", "idp": "https://idp.test/", "level": 2, "factors": 2}


def test_cie_login_goes_through_the_same_path_at_level_2(client, saml):
    linked = make_user(Role.APPLICANT, email="m.rossi@example.org", tax_code=MARIO_CF)
    User.objects.filter(pk=linked.pk).update(saml_linked_at="2026-01-01T00:00:00Z")
    form = parse_form(client.get("/spid/login/", {"idp": saml.cie.entity_id}).content.decode())
    assert form.action == "https://cie.test/idp/sso"
    request = saml.cie.read_request(form).message
    assert request.requested_authn_context.authn_context_class_ref[0].text == "https://www.spid.gov.it/SpidL2"
    assert request.issuer.text == "https://sentinella.example.org/spid/metadata/cie/"
    response = client.post("/spid/acs/", saml.cie.answer(form, level=2, attributes=CIE_ATTRIBUTES))
    assert response.url == "/"
    assert logged_in_as(client) == linked
    login = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert login.after == {"method": "cie", "idp": "https://cie.test/idp/", "level": 2, "factors": 2}


def test_invalid_fiscal_number_creates_nothing(client, saml):
    response = spid_login(client, saml.spid, attributes={**MARIO, "fiscalNumber": ["TINIT-RSSMRA70A01L219X"]})
    assert response.status_code == 403
    assert "codice fiscale" in response.content.decode()
    assert not User.objects.exists()


def test_email_login_can_be_closed_to_applicants_only(client, settings):
    settings.EMAIL_LOGIN_FOR_APPLICANTS = False
    applicant = make_user(Role.APPLICANT, email="richiedente@example.org")
    official = make_user(Role.REGIONAL_OFFICIAL, email="funz@example.org")
    refused = client.post("/accounts/login/", {"login": applicant.email, "password": TEST_PASSWORD})
    assert refused.status_code == 200
    assert "I richiedenti accedono con SPID o CIE" in refused.content.decode()
    assert logged_in_as(client) is None
    accepted = client.post("/accounts/login/", {"login": official.email, "password": TEST_PASSWORD})
    assert accepted.status_code == 302
    assert client.get("/accounts/signup/").status_code in (200, 302)
    assert "Registrati come richiedente" not in client.get("/accounts/login/").content.decode()


CIE_ATTRIBUTES = {"name": ["Mario"], "familyName": ["Rossi"], "fiscalNumber": ["TINIT-RSSMRA70A01L219K"]}


def cie_login(client, saml):
    form = parse_form(client.get("/spid/login/", {"idp": saml.cie.entity_id}).content.decode())
    return client.post("/spid/acs/", saml.cie.answer(form, level=2, attributes=CIE_ATTRIBUTES))


def test_cie_without_email_creates_the_account_only_after_the_address_is_confirmed(client, saml):
    assert cie_login(client, saml).url == "/spid/register/"
    assert not User.objects.exists()
    bad = client.post("/spid/register/", {"email": "not-an-address"})
    assert bad.status_code == 400
    client.post("/spid/register/", {"email": "Mario.Rossi@Example.org"})
    assert not User.objects.exists()
    url = re.search(r"https?://\S+/spid/register/\S+/", mail.outbox[-1].body).group(0)
    path = url.split("testserver", 1)[-1]

    from django.test import Client

    assert Client().post(path).status_code == 302  # another browser: nothing happens
    assert not User.objects.exists()
    client.post(path)
    user = User.objects.get()
    assert (user.email, user.tax_code) == ("mario.rossi@example.org", MARIO_CF)
    assert logged_in_as(client) == user


def test_cie_without_email_and_an_address_already_taken_leads_to_proof(client, saml):
    existing = make_user(Role.APPLICANT, email="mario.rossi@example.org")
    cie_login(client, saml)
    response = client.post("/spid/register/", {"email": "mario.rossi@example.org"})
    assert response.url == "/spid/link/"
    assert logged_in_as(client) is None
    client.post("/spid/link/", {"action": "password", "password": TEST_PASSWORD})
    assert logged_in_as(client) == existing
    existing.refresh_from_db()
    assert existing.tax_code == MARIO_CF
