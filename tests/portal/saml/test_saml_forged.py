"""Forged or stale answers are refused with a message naming the fault, and create no account."""

import base64

import pytest

from portal.models import AuditEvent, SamlAssertion, User
from portal.saml import protocol
from tests.saml_idp import OTHER_SP, parse_form

pytestmark = pytest.mark.django_db


def start_login(client, idp):
    return parse_form(client.get("/spid/login/", {"idp": idp.entity_id}).content.decode())


def assert_refused(response, message, *, users=0):
    assert response.status_code == 403
    html = response.content.decode()
    assert str(message).replace("'", "&#x27;") in html, html[:3000]
    assert User.objects.count() == users
    assert not client_logged_in(response)
    assert AuditEvent.objects.filter(action="auth.saml_refused").exists()


def client_logged_in(response):
    return response.wsgi_request.user.is_authenticated


def tampered(body, old: bytes, new: bytes):
    xml = base64.b64decode(body["SAMLResponse"])
    assert old in xml
    return {**body, "SAMLResponse": base64.b64encode(xml.replace(old, new)).decode()}


def test_bad_signature_is_refused(client, saml):
    form = start_login(client, saml.spid)
    # The fiscal number is changed after the identity provider signed: the digest no longer matches.
    body = tampered(saml.spid.answer(form), b"RSSMRA70A01L219K", b"VRDGPP80A01L219N")
    assert_refused(client.post("/spid/acs/", body), protocol.ERROR_SIGNATURE)


def test_response_signed_by_another_identity_provider_is_refused(client, saml):
    form = start_login(client, saml.spid)
    # Another registered provider signs an answer to a request sent to the first one.
    request = saml.spid.read_request(form).message
    body = saml.other_spid.answer(form, request=request)
    assert_refused(client.post("/spid/acs/", body), protocol.ERROR_ISSUER)


def test_wrong_audience_is_refused(client, saml):
    form = start_login(client, saml.spid)
    body = saml.spid.answer(form, audience=OTHER_SP)
    assert_refused(client.post("/spid/acs/", body), protocol.ERROR_AUDIENCE)


def test_wrong_in_response_to_is_refused(client, saml):
    form = start_login(client, saml.spid)
    body = saml.spid.answer(form, in_response_to="id-never-sent-by-this-browser")
    assert_refused(client.post("/spid/acs/", body), protocol.ERROR_IN_RESPONSE_TO)


def test_answer_for_another_browser_is_refused(client, saml, django_user_model):
    from django.test import Client

    form = start_login(client, saml.spid)
    body = saml.spid.answer(form)
    # Captured and posted from another browser, which never started this login.
    assert_refused(Client().post("/spid/acs/", body), protocol.ERROR_IN_RESPONSE_TO)


def test_expired_assertion_is_refused(client, saml, monkeypatch):
    form = start_login(client, saml.spid)
    body = saml.spid.answer(form)  # valid for 5 minutes
    import saml2.time_util

    real_now = saml2.time_util.utc_now
    monkeypatch.setattr(saml2.time_util, "utc_now", lambda: real_now() + 3600)  # it arrives an hour late
    assert_refused(client.post("/spid/acs/", body), protocol.ERROR_EXPIRED)


def test_replayed_assertion_is_refused(client, saml):
    form = start_login(client, saml.spid)
    body = saml.spid.answer(form)
    assert client.post("/spid/acs/", body).status_code == 302
    client.post("/spid/logout/")
    response = client.post("/spid/acs/", body)
    assert_refused(response, protocol.ERROR_REPLAYED, users=1)


def test_replay_racing_the_first_use_is_refused_by_the_database(client, saml):
    """Two requests carrying the same assertion at once: both pass the signature and InResponseTo
    checks; the unique assertion id lets only one through."""
    from django.contrib.sessions.backends.db import SessionStore
    from djangosaml2.cache import OutstandingQueriesCache

    from portal.saml import services
    from portal.saml.protocol import SamlRefused

    form = start_login(client, saml.spid)
    body = saml.spid.answer(form)
    # The SAML exchange lives in its own session cookie; both racing requests would read it.
    saml_session = SessionStore(client.cookies["saml_session"].value)
    outstanding = OutstandingQueriesCache(saml_session).outstanding_queries()
    identity, _request_id = protocol.parse_response(
        saml_response=body["SAMLResponse"], outstanding=outstanding
    )
    services.saml_assertion_consume(identity=identity)
    with pytest.raises(SamlRefused) as refused:
        services.saml_assertion_consume(identity=identity)
    assert refused.value.reason == "replayed"
    assert SamlAssertion.objects.filter(assertion_id=identity.assertion_id).count() == 1


def test_lower_level_than_requested_is_refused(client, saml, settings):
    settings.SPID_LEVEL = 2
    form = start_login(client, saml.spid)
    request = saml.spid.read_request(form).message
    assert request.requested_authn_context.authn_context_class_ref[0].text == "https://www.spid.gov.it/SpidL2"
    assert request.force_authn == "true"
    body = saml.spid.answer(form, level=1)
    response = client.post("/spid/acs/", body)
    assert_refused(response, protocol.ERROR_LEVEL % {"reached": 1, "requested": 2})


def test_unknown_identity_provider_is_not_started(client, saml):
    response = client.get("/spid/login/", {"idp": "https://evil.example/"}, follow=True)
    assert "Scegli il tuo gestore dell&#x27;identità dall&#x27;elenco." in response.content.decode()


@pytest.mark.parametrize("value", ["", "not base64 at all", "PHhtbD5ub3Qgc2FtbDwveG1sPg=="])
def test_garbage_is_refused_without_an_error_page(client, saml, value):
    start_login(client, saml.spid)
    assert_refused(client.post("/spid/acs/", {"SAMLResponse": value}), protocol.ERROR_INVALID)
