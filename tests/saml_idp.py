"""A local SAML2 identity provider for the tests (pysaml2's Server), so that SPID and CIE logins are
driven end to end without the internet: it reads the portal's real AuthnRequest, checks its
signature against the SP metadata the portal publishes, and answers with a signed Response."""

from __future__ import annotations

import base64
import datetime
import html
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server

from portal.saml.conf import ATTRIBUTE_MAP_DIR, LEVEL_CLASS_REFS

OTHER_SP = "https://altro-servizio.example.org/metadata/"
MARIO = {
    "name": ["Mario"],
    "familyName": ["Rossi"],
    "fiscalNumber": ["TINIT-RSSMRA70A01L219K"],
    "email": ["mario.rossi@example.org"],
}


def make_key_pair(folder: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


@dataclass
class Form:
    action: str
    fields: dict[str, str]


def parse_form(page: str) -> Form:
    """The auto-posting form the portal hands the browser (HTTP-POST binding)."""
    action = html.unescape(re.search(r'<form id="saml-post" method="post" action="([^"]+)"', page).group(1))
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }
    return Form(action, fields)


class LocalIdP:
    def __init__(self, folder: Path, *, entity_id: str = "https://idp.test/", name: str = "IdP di prova"):
        self.entity_id = entity_id
        self.name = name
        slug = re.sub(r"\W", "", entity_id)
        self.key_file, self.cert_file = make_key_pair(folder, slug)
        self.metadata_path = folder / f"{slug}-metadata.xml"
        self.metadata_path.write_text(str(entity_descriptor(self._config())))
        self._server = None

    def _config(self, sp_metadata: str | None = None) -> IdPConfig:
        base = self.entity_id.rstrip("/")
        conf = {
            "entityid": self.entity_id,
            "attribute_map_dir": ATTRIBUTE_MAP_DIR,
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "service": {
                "idp": {
                    "name": self.name,
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_POST)],
                        "single_logout_service": [(f"{base}/slo", BINDING_HTTP_POST)],
                    },
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "want_authn_requests_signed": True,
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_BASIC}},
                }
            },
            "organization": {
                "name": [(self.name, "it")],
                "display_name": [(self.name, "it")],
                "url": [(self.entity_id, "it")],
            },
        }
        if sp_metadata:
            # The same SP under another entity id too: answers this IdP legitimately issues to
            # another service, for the wrong-audience case.
            other = sp_metadata.replace(
                'entityID="https://sentinella.example.org/spid/metadata/"', f'entityID="{OTHER_SP}"'
            )
            conf["metadata"] = {"inline": [sp_metadata, other]}
        config = IdPConfig()
        config.load(conf)
        return config

    def start(self, sp_metadata: str) -> None:
        """Trust the SP whose metadata the portal published."""
        self._server = Server(config=self._config(sp_metadata))

    def read_request(self, form: Form):
        """Parse and verify the signed AuthnRequest (raises if the signature does not hold)."""
        return self._server.parse_authn_request(form.fields["SAMLRequest"], BINDING_HTTP_POST)

    def answer(
        self,
        form: Form,
        *,
        level: int = 1,
        attributes: dict | None = None,
        audience: str | None = None,
        in_response_to: str | None = None,
        request=None,
    ) -> dict[str, str]:
        """The POST body the browser carries back to the SP's assertion consumer."""
        request = request or self.read_request(form).message
        response = self._server.create_authn_response(
            identity=attributes or MARIO,
            in_response_to=in_response_to or request.id,
            destination=request.assertion_consumer_service_url,
            sp_entity_id=audience or request.issuer.text,
            name_id=NameID(
                format=NAMEID_FORMAT_TRANSIENT, text="_transient-id-1", name_qualifier=self.entity_id
            ),
            authn={"class_ref": LEVEL_CLASS_REFS[level], "authn_auth": self.entity_id},
            sign_response=True,
            sign_assertion=True,
        )
        xml = str(response)
        return {
            "SAMLResponse": base64.b64encode(xml.encode()).decode(),
            "RelayState": form.fields.get("RelayState", ""),
        }

    def answer_logout(self, form: Form) -> dict[str, str]:
        """Verify the SP's signed LogoutRequest and confirm it with a signed LogoutResponse."""
        request = self._server.parse_logout_request(form.fields["SAMLRequest"], BINDING_HTTP_POST)
        response = self._server.create_logout_response(request.message, [BINDING_HTTP_POST], sign=True)
        return {"SAMLResponse": base64.b64encode(str(response).encode()).decode()}


@dataclass
class SamlWorld:
    spid: LocalIdP
    cie: LocalIdP
    other_spid: LocalIdP


def configure_saml(settings, folder: Path) -> SamlWorld:
    """The portal as an operator configures it (an AgID-shaped key pair, AgID's registry of SPID
    providers as one file, CIE ID's metadata as another), and local identity providers trusting it."""
    from portal.saml.certificate import generate_key_pair
    from portal.saml.metadata import sp_metadata_xml

    settings.SAML_BASE_URL = "https://sentinella.example.org"
    settings.SAML_KEY_FILE = str(folder / "sp.key")
    settings.SAML_CERT_FILE = str(folder / "sp.crt")
    generate_key_pair(
        key_path=folder / "sp.key",
        cert_path=folder / "sp.crt",
        entity_id="https://sentinella.example.org/spid/metadata/",
        organization_name="Regione Piemonte",
        common_name="Sentinella",
        ipa_code="r_piemon",
        locality="Torino",
        key_size=2048,
    )
    spid = LocalIdP(folder, entity_id="https://idp.test/", name="IdP di prova")
    other = LocalIdP(folder, entity_id="https://altro-idp.test/", name="Altro IdP")
    cie = LocalIdP(folder, entity_id="https://cie.test/idp/", name="CIE ID di prova")
    registry = folder / "spid-entities-idps.xml"
    inner = "".join(re.sub(r"^<\?xml[^>]*\?>", "", idp.metadata_path.read_text()) for idp in (spid, other))
    registry.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
        f"{inner}</md:EntitiesDescriptor>"
    )
    settings.SPID_IDP_METADATA = str(registry)
    settings.CIE_IDP_METADATA = str(cie.metadata_path)
    for idp in (spid, other):
        idp.start(sp_metadata_xml("spid"))
    cie.start(sp_metadata_xml("cie"))
    return SamlWorld(spid=spid, cie=cie, other_spid=other)


def idp_logout_request(
    idp: LocalIdP, *, sp_entity_id: str, name_id: str, sign: bool = True
) -> dict[str, str]:
    """An IdP-initiated LogoutRequest for the person `name_id` (serialised NameID), as the IdP posts it."""
    from saml2.saml import name_id_from_string

    server = idp._server
    location = "https://sentinella.example.org/spid/ls/"
    _request_id, request = server.create_logout_request(
        location, sp_entity_id, name_id=name_id_from_string(name_id), sign=sign
    )
    return {"SAMLRequest": base64.b64encode(str(request).encode()).decode(), "RelayState": "idp-relay"}
