"""The SP metadata AgID registers: signed, at the entity id's address, with what SPID asks for."""

import pytest
from defusedxml import ElementTree
from saml2 import BINDING_HTTP_POST
from saml2.sigver import CryptoBackendXmlSec1, SecurityContext

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
SPID = "{https://spid.gov.it/saml-extensions}"

pytestmark = pytest.mark.django_db


def test_metadata_is_signed_and_carries_the_spid_elements(client, saml, settings):
    response = client.get("/spid/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    xml = response.content.decode()
    root = ElementTree.fromstring(xml)
    assert root.get("entityID") == "https://sentinella.example.org/spid/metadata/"
    sp = root.find(f"{MD}SPSSODescriptor")
    assert sp.get("AuthnRequestsSigned") == "true"
    assert sp.get("WantAssertionsSigned") == "true"
    acs = sp.findall(f"{MD}AssertionConsumerService")
    assert [(a.get("index"), a.get("isDefault"), a.get("Binding"), a.get("Location")) for a in acs] == [
        ("0", "true", BINDING_HTTP_POST, "https://sentinella.example.org/spid/acs/")
    ]
    slo = sp.find(f"{MD}SingleLogoutService")
    assert slo.get("Location") == "https://sentinella.example.org/spid/ls/"
    service = sp.find(f"{MD}AttributeConsumingService")
    assert service.get("index") == "0"
    assert service.find(f"{MD}ServiceName").text == "Sentinella"
    names = [attribute.get("Name") for attribute in service.findall(f"{MD}RequestedAttribute")]
    assert sorted(names) == ["email", "familyName", "fiscalNumber", "name"]
    organization = root.find(f"{MD}Organization")
    assert organization.find(f"{MD}OrganizationName").text == "Regione Piemonte"
    contact = root.find(f"{MD}ContactPerson")
    assert contact.get("contactType") == "other"
    assert contact.find(f"{MD}Extensions/{SPID}IPACode").text == "r_piemon"
    assert contact.find(f"{MD}Extensions/{SPID}Public") is not None
    assert contact.find(f"{MD}EmailAddress").text == settings.SAML_CONTACT_EMAIL
    # xmlsec1 verifies the enveloped signature with the SP's own certificate.
    security = SecurityContext(CryptoBackendXmlSec1(settings.SAML_XMLSEC_BINARY))
    assert security.verify_signature(
        xml, cert_file=settings.SAML_CERT_FILE, node_name=f"{MD[1:-1]}:EntityDescriptor"
    )


def test_metadata_is_not_found_before_the_key_pair_exists(client, settings):
    settings.SAML_KEY_FILE = ""
    assert client.get("/spid/metadata/").status_code == 404


def test_buttons_are_hidden_until_configured(client, settings):
    settings.SAML_KEY_FILE = settings.SAML_CERT_FILE = ""
    html = client.get("/accounts/login/").content.decode()
    assert 'data-testid="saml-buttons"' not in html
    assert 'name="password"' in html


def test_login_page_shows_both_buttons_in_italian_and_english(client, saml):
    html = client.get("/accounts/login/").content.decode()
    for text in ("Entra con SPID", "Entra con CIE", "IdP di prova", "Altro IdP"):
        assert text in html
    assert "CIE ID di prova" not in html.split('data-testid="spid-providers"')[1].split("</ul>")[0]
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert "Log in with SPID" in html
    assert "Log in with CIE" in html


def test_cie_metadata_is_cie_ids_flavour(client, saml, settings):
    xml = client.get("/spid/metadata/cie/").content.decode()
    root = ElementTree.fromstring(xml)
    assert root.get("entityID") == "https://sentinella.example.org/spid/metadata/cie/"
    contact = root.find(f"{MD}ContactPerson")
    assert contact.get("contactType") == "administrative"
    cie = "{https://www.cartaidentita.interno.gov.it/saml-extensions}"
    assert contact.find(f"{MD}Extensions/{cie}IPACode").text == "r_piemon"
    assert contact.find(f"{MD}Extensions/{cie}Municipality").text == "001272"
    assert contact.find(f"{MD}Extensions/{cie}Public") is not None
    names = [a.get("Name") for a in root.iter(f"{MD}RequestedAttribute")]
    assert sorted(names) == ["familyName", "fiscalNumber", "name"]
    security = SecurityContext(CryptoBackendXmlSec1(settings.SAML_XMLSEC_BINARY))
    assert security.verify_signature(
        xml, cert_file=settings.SAML_CERT_FILE, node_name=f"{MD[1:-1]}:EntityDescriptor"
    )
