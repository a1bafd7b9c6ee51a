"""A configured SP (key pair, SPID and CIE metadata files) and local identity providers."""

import re
from dataclasses import dataclass

import pytest

from portal.saml.certificate import generate_key_pair
from tests.saml_idp import LocalIdP


@dataclass
class SamlWorld:
    spid: LocalIdP
    cie: LocalIdP
    other_spid: LocalIdP


@pytest.fixture
def saml(settings, tmp_path, client):
    settings.SAML_BASE_URL = "https://sentinella.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "sentinella.example.org"]
    settings.SAML_KEY_FILE = str(tmp_path / "sp.key")
    settings.SAML_CERT_FILE = str(tmp_path / "sp.crt")
    generate_key_pair(
        key_path=tmp_path / "sp.key",
        cert_path=tmp_path / "sp.crt",
        entity_id="https://sentinella.example.org/spid/metadata/",
        organization_name="Regione Piemonte",
        common_name="Sentinella",
        ipa_code="r_piemon",
        locality="Torino",
        key_size=2048,
    )
    spid = LocalIdP(tmp_path, entity_id="https://idp.test/", name="IdP di prova")
    other = LocalIdP(tmp_path, entity_id="https://altro-idp.test/", name="Altro IdP")
    cie = LocalIdP(tmp_path, entity_id="https://cie.test/idp/", name="CIE ID di prova")
    registry = tmp_path / "spid-entities-idps.xml"
    registry.write_text(_entities(spid, other))
    settings.SPID_IDP_METADATA = str(registry)
    settings.CIE_IDP_METADATA = str(cie.metadata_path)
    sp_metadata = client.get("/spid/metadata/").content.decode()
    for idp in (spid, other, cie):
        idp.start(sp_metadata)
    return SamlWorld(spid=spid, cie=cie, other_spid=other)


def _entities(*idps: LocalIdP) -> str:
    """AgID publishes the SPID providers as one EntitiesDescriptor: build one from the local IdPs."""
    inner = "".join(re.sub(r"^<\?xml[^>]*\?>", "", idp.metadata_path.read_text()) for idp in idps)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
        f"{inner}</md:EntitiesDescriptor>"
    )
