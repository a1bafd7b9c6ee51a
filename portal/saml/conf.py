"""The pysaml2 configuration of the service provider, built from Django settings.

One SP (one entity id, key, certificate, assertion consumer and logout endpoint) serves both the SPID
identity providers and CIE ID; the identity providers' metadata come from files the operator
provides (SPID_IDP_METADATA, CIE_IDP_METADATA), never fetched at run time.
"""

from __future__ import annotations

import copy
from pathlib import Path

import saml2
from django.conf import settings
from django.urls import reverse
from saml2.config import SPConfig
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_TRANSIENT
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

SPID_NAMESPACE = "https://spid.gov.it/saml-extensions"
# AgID's Authentication Context Class references: the SPID level (CIE ID uses the same ones).
LEVEL_CLASS_REFS = {
    1: "https://www.spid.gov.it/SpidL1",
    2: "https://www.spid.gov.it/SpidL2",
    3: "https://www.spid.gov.it/SpidL3",
}
CLASS_REF_LEVELS = {ref: level for level, ref in LEVEL_CLASS_REFS.items()}
# The minimum the portal asks for (AttributeConsumingService index 0).
REQUESTED_ATTRIBUTES = ["name", "familyName", "fiscalNumber", "email"]
# CIE ID releases no e-mail address (the person gives one at the first login: portal.saml.registration).
CIE_ATTRIBUTES = ["name", "familyName", "fiscalNumber"]
CIE_NAMESPACE = "https://www.cartaidentita.interno.gov.it/saml-extensions"
ATTRIBUTE_MAP_DIR = str(Path(__file__).resolve().parent / "attribute_maps")
SIGN_ALG = SIG_RSA_SHA256
DIGEST_ALG = DIGEST_SHA256


def key_pair_configured() -> bool:
    key, cert = settings.SAML_KEY_FILE, settings.SAML_CERT_FILE
    return bool(key and cert and Path(key).is_file() and Path(cert).is_file())


def spid_enabled() -> bool:
    """The SPID button shows only once the SP has its key pair and the operator gave the IdPs' metadata."""
    return key_pair_configured() and _file(settings.SPID_IDP_METADATA)


def cie_enabled() -> bool:
    return key_pair_configured() and _file(settings.CIE_IDP_METADATA)


def saml_enabled() -> bool:
    return spid_enabled() or cie_enabled()


def _file(path: str) -> bool:
    return bool(path) and Path(path).is_file()


def absolute(url_name: str) -> str:
    return f"{settings.SAML_BASE_URL}{reverse(url_name)}"


def entity_id(kind: str = "spid") -> str:
    """SPID and CIE ID each register the SP under its own entity id and metadata flavour."""
    if kind == "cie":
        return settings.CIE_ENTITY_ID or absolute("saml:metadata_cie")
    return settings.SAML_ENTITY_ID or absolute("saml:metadata")


def acs_url() -> str:
    return absolute("saml:acs")


def sls_url() -> str:
    return absolute("saml:sls")


def metadata_files(kind: str = "spid") -> list[str]:
    path = settings.CIE_IDP_METADATA if kind == "cie" else settings.SPID_IDP_METADATA
    return [path] if _file(path) else []


def build_config(request=None, *, kind: str = "spid") -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the SP's pysaml2 configuration for SPID (kind="spid", with
    only the SPID registry's providers) or CIE ID (kind="cie", only CIE ID's)."""
    config = {
        "entityid": entity_id(kind),
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "attribute_map_dir": ATTRIBUTE_MAP_DIR,
        "key_file": settings.SAML_KEY_FILE,
        "cert_file": settings.SAML_CERT_FILE,
        "metadata": {"local": metadata_files(kind)},
        "accepted_time_diff": settings.SAML_ACCEPTED_TIME_DIFF,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": settings.SAML_SERVICE_NAME,
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(), saml2.BINDING_HTTP_POST)],
                    "single_logout_service": [(sls_url(), saml2.BINDING_HTTP_POST)],
                },
                "required_attributes": CIE_ATTRIBUTES if kind == "cie" else REQUESTED_ATTRIBUTES,
                "requested_attribute_name_format": NAME_FORMAT_BASIC,
                "name_format": NAME_FORMAT_BASIC,
                "signing_algorithm": SIGN_ALG,
                "digest_algorithm": DIGEST_ALG,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": True,
                "only_use_keys_in_metadata": True,
                "allow_unsolicited": False,
                "name_id_format_allow_create": False,
            }
        },
        "organization": copy.deepcopy(
            {
                "name": [(settings.SAML_ORGANIZATION_NAME, "it")],
                "display_name": [(settings.SAML_ORGANIZATION_DISPLAY_NAME, "it")],
                "url": [(settings.SAML_ORGANIZATION_URL, "it")],
            }
        ),
    }
    conf = SPConfig()
    conf.load(config)
    return conf
