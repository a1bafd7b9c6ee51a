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


def test_the_header_logs_a_spid_session_out_through_the_identity_provider(client, saml):
    form = start_login(client, saml.spid)
    client.post("/spid/acs/", saml.spid.answer(form))
    assert 'action="/spid/logout/"' in client.get("/").content.decode()


def test_commands_write_an_agid_shaped_key_pair_and_the_files_to_register(saml, settings, tmp_path):
    from cryptography import x509
    from django.core.management import call_command

    from portal.saml.certificate import AGID_POLICIES, ORGANIZATION_IDENTIFIER

    call_command("saml_certificate", key=str(tmp_path / "k.pem"), cert=str(tmp_path / "c.pem"))
    cert = x509.load_pem_x509_certificate((tmp_path / "c.pem").read_bytes())
    assert cert.subject.get_attributes_for_oid(ORGANIZATION_IDENTIFIER)[0].value == "PA:IT-r_piemon"
    policies = {
        p.policy_identifier.dotted_string
        for p in cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    }
    assert policies == {oid for oid, _name in AGID_POLICIES}
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment
    with pytest.raises(Exception, match="already exists"):
        call_command("saml_certificate", key=str(tmp_path / "k.pem"), cert=str(tmp_path / "c.pem"))

    call_command(
        "saml_export",
        metadata=str(tmp_path / "md.xml"),
        idp=saml.spid.entity_id,
        authn_request=str(tmp_path / "authn.html"),
    )
    assert "spid:IPACode" in (tmp_path / "md.xml").read_text()
    assert saml.spid.read_request(parse_form_plain((tmp_path / "authn.html").read_text()))


def parse_form_plain(page):
    import html
    import re

    from tests.saml_idp import Form

    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return Form(html.unescape(action), {k: html.unescape(v) for k, v in fields.items()})


def test_identity_provider_initiated_logout_ends_the_portal_session(client, saml):
    from tests.saml_idp import idp_logout_request

    form = start_login(client, saml.spid)
    client.post("/spid/acs/", saml.spid.answer(form))
    sso = client.session["saml_sso"]
    entity = "https://sentinella.example.org/spid/metadata/"
    from django.test import Client

    # The IdP's POST is cross-site: only the SAML session's cookie comes with it.
    idp_post = Client()
    idp_post.cookies["saml_session"] = client.cookies["saml_session"].value
    answer = idp_post.post(
        "/spid/ls/", idp_logout_request(saml.spid, sp_entity_id=entity, name_id=sso["name_id"])
    )
    assert answer.status_code == 200
    reply = parse_form(answer.content.decode())
    assert reply.action == "https://idp.test/slo"
    assert "SAMLResponse" in reply.fields
    # The portal's own session ends at this browser's next request.
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_unsigned_logout_request_is_refused(client, saml):
    from tests.saml_idp import idp_logout_request

    form = start_login(client, saml.spid)
    client.post("/spid/acs/", saml.spid.answer(form))
    body = idp_logout_request(
        saml.spid,
        sp_entity_id="https://sentinella.example.org/spid/metadata/",
        name_id=client.session["saml_sso"]["name_id"],
        sign=False,
    )
    from django.test import Client

    idp_post = Client()
    idp_post.cookies["saml_session"] = client.cookies["saml_session"].value
    assert idp_post.post("/spid/ls/", body).status_code == 403
    assert client.get("/").wsgi_request.user.is_authenticated
