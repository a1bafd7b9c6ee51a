"""A SPID login end to end against the local identity provider: metadata, signed AuthnRequest,
signed Response, assertion consumer, a new applicant on their home page, single logout."""

import pytest
from saml2.samlp import AuthnRequest

from portal.models import AuditEvent, User
from tests.saml_idp import parse_form

pytestmark = pytest.mark.django_db


def start_login(client, idp, **params):
    page = client.get("/spid/login/", {"idp": idp.entity_id, **params})
    assert page.status_code == 200
    return parse_form(page.content.decode())


def test_spid_login_creates_an_applicant_and_lands_on_their_home(client, saml):
    form = start_login(client, saml.spid)
    assert form.action == "https://idp.test/sso"
    request: AuthnRequest = saml.spid.read_request(form).message  # the IdP verified its signature
    assert request.issuer.text == "https://sentinella.example.org/spid/metadata/"
    assert request.requested_authn_context.authn_context_class_ref[0].text == "https://www.spid.gov.it/SpidL1"
    assert request.requested_authn_context.comparison == "minimum"
    assert request.attribute_consuming_service_index == "0"
    assert request.assertion_consumer_service_url == "https://sentinella.example.org/spid/acs/"

    response = client.post("/spid/acs/", saml.spid.answer(form))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == "/"
    home = client.get("/")
    assert "Richiedi l'accesso" in home.content.decode() or "Request access" in home.content.decode()
    user = User.objects.get(tax_code="RSSMRA70A01L219K")
    assert (user.email, user.first_name, user.last_name) == ("mario.rossi@example.org", "Mario", "Rossi")
    assert not user.has_usable_password()
    assert not user.memberships.exists()
    login = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert login.after == {"method": "spid", "idp": "https://idp.test/", "level": 1, "factors": 1}


def test_single_logout_ends_the_session_here_and_at_the_identity_provider(client, saml):
    form = start_login(client, saml.spid)
    client.post("/spid/acs/", saml.spid.answer(form))
    assert client.get("/").wsgi_request.user.is_authenticated

    page = client.post("/spid/logout/")
    logout_form = parse_form(page.content.decode())
    assert logout_form.action == "https://idp.test/slo"
    assert not client.get("/").wsgi_request.user.is_authenticated
    confirmed = client.post("/spid/ls/", saml.spid.answer_logout(logout_form), follow=True)
    assert "identity provider" in confirmed.content.decode() or "gestore" in confirmed.content.decode()
    assert AuditEvent.objects.filter(action="auth.logout").exists()
