"""The SAML2 messages: signed AuthnRequest and LogoutRequest out, Response and LogoutResponse in.

pysaml2 checks signatures, audience, InResponseTo and validity windows; this module adds what SPID
asks on top of SAML: the level actually reached (AuthnContextClassRef) against the one requested,
an answer from the identity provider the request went to, a codice fiscale that passes its check
digit, and each assertion used at most once.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import saml2
from defusedxml import ElementTree
from django.utils.translation import gettext_lazy as _
from djangosaml2.overrides import Saml2Client
from saml2 import BINDING_HTTP_POST, samlp
from saml2.authn_context import requested_authn_context
from saml2.response import StatusError, UnsolicitedResponse
from saml2.s_utils import UnknownSystemEntity
from saml2.saml import NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_TRANSIENT, Issuer
from saml2.sigver import SignatureError
from saml2.time_util import instant
from saml2.validate import ResponseLifetimeExceed, ToEarly
from stdnum.it import codicefiscale

from portal.saml.conf import (
    CLASS_REF_LEVELS,
    DIGEST_ALG,
    LEVEL_CLASS_REFS,
    SIGN_ALG,
    acs_url,
    build_config,
    entity_id,
)

logger = logging.getLogger(__name__)
SAML_NS = "{urn:oasis:names:tc:SAML:2.0:assertion}"

ERROR_SIGNATURE = _("The identity provider's answer does not carry its valid signature: login refused.")
ERROR_AUDIENCE = _("The identity provider's answer was meant for another service: login refused.")
ERROR_IN_RESPONSE_TO = _(
    "The identity provider's answer does not match a login started in this browser (it may have "
    "expired or been used already): start the login again."
)
ERROR_EXPIRED = _("The identity provider's answer has expired: start the login again.")
ERROR_REPLAYED = _("This answer of the identity provider has already been used: start the login again.")
ERROR_LEVEL = _(
    "The identity provider authenticated you at SPID level %(reached)s, but this service asks for "
    "level %(requested)s: log in again with a level %(requested)s credential."
)
ERROR_FISCAL_NUMBER = _("The identity provider sent no valid codice fiscale (fiscalNumber): login refused.")
ERROR_STATUS = _("The identity provider did not authenticate you (the login may have been cancelled).")
ERROR_ISSUER = _("The answer comes from an identity provider other than the one chosen: login refused.")
ERROR_INVALID = _("The identity provider's answer could not be read: login refused.")
ERROR_UNKNOWN_IDP = _("This identity provider is not among those this service accepts.")


class SamlRefused(Exception):
    """A response the portal does not accept; `reason` names the rule, `message` is for the user."""

    def __init__(self, reason: str, message):
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class SamlIdentity:
    idp: str
    level: int
    fiscal_number: str
    first_name: str
    last_name: str
    email: str
    assertion_id: str
    valid_until: datetime
    name_id: str  # the serialised NameID, needed for single logout
    session_index: str


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to post to the identity provider through the browser (HTTP-POST binding)."""

    id: str
    action: str
    field: str
    value: str
    relay_state: str


def client(kind: str = "spid") -> Saml2Client:
    return Saml2Client(build_config(kind=kind))


def _issuer(kind: str) -> Issuer:
    sp_entity = entity_id(kind)
    return Issuer(text=sp_entity, format=NAMEID_FORMAT_ENTITY, name_qualifier=sp_entity)


def _post_location(saml_client: Saml2Client, idp: str, service: str) -> str:
    try:
        if service == "sso":
            return saml_client.sso_location(idp, BINDING_HTTP_POST)
        locations = saml_client.metadata.single_logout_service(idp, BINDING_HTTP_POST, "idpsso")
    except UnknownSystemEntity as exc:
        raise SamlRefused("unknown_idp", ERROR_UNKNOWN_IDP) from exc
    if not locations:
        raise SamlRefused("unknown_idp", ERROR_UNKNOWN_IDP)
    return locations[0]["location"]


def authn_request(*, idp: str, kind: str, level: int, relay_state: str) -> OutgoingMessage:
    """A signed AuthnRequest asking `idp` for at least SPID `level` and the attributes of index 0."""
    saml_client = client(kind)
    location = _post_location(saml_client, idp, "sso")
    request = samlp.AuthnRequest(
        id=saml2.s_utils.sid(),
        version=saml2.VERSION,
        issue_instant=instant(),
        destination=location,
        issuer=_issuer(kind),
        assertion_consumer_service_url=acs_url(),
        protocol_binding=BINDING_HTTP_POST,
        attribute_consuming_service_index="0",
        name_id_policy=samlp.NameIDPolicy(format=NAMEID_FORMAT_TRANSIENT),
        requested_authn_context=requested_authn_context(LEVEL_CLASS_REFS[level], comparison="minimum"),
        # SPID: above level 1 the identity provider must authenticate again, whatever session it holds.
        force_authn="true" if level > 1 else None,
    )
    signed = saml_client.sign(request, sign_prepare=False, sign_alg=SIGN_ALG, digest_alg=DIGEST_ALG)
    return OutgoingMessage(request.id, location, "SAMLRequest", _b64(signed), relay_state)


def logout_request(*, idp: str, kind: str, name_id: str, session_index: str) -> OutgoingMessage:
    saml_client = client(kind)
    location = _post_location(saml_client, idp, "slo")
    request_id, request = saml_client.create_logout_request(
        location,
        idp,
        name_id=saml2.saml.name_id_from_string(name_id),
        session_indexes=[session_index] if session_index else None,
        sign=False,
    )
    request.issuer = _issuer(kind)
    signed = saml_client.sign(request, sign_prepare=False, sign_alg=SIGN_ALG, digest_alg=DIGEST_ALG)
    return OutgoingMessage(request_id, location, "SAMLRequest", _b64(signed), "")


def _b64(xml) -> str:
    return base64.b64encode(str(xml).encode("utf-8")).decode("ascii")


def _peek(message: str):
    """The message's XML before any check (which SP flavour to check it with; a replay's own message)."""
    try:
        return ElementTree.fromstring(base64.b64decode(message, validate=False))
    except Exception:  # malformed base64 or XML: the full parse names it
        return None


def assertion_id_of(saml_response: str) -> str:
    root = _peek(saml_response)
    assertion = root.find(f"{SAML_NS}Assertion") if root is not None else None
    return assertion.get("ID", "") if assertion is not None else ""


def _in_response_to_of(saml_response: str) -> str:
    root = _peek(saml_response)
    return root.get("InResponseTo", "") if root is not None else ""


def _issuer_of(saml_message: str) -> str:
    root = _peek(saml_message)
    issuer = root.find(f"{SAML_NS}Issuer") if root is not None else None
    return (issuer.text or "").strip() if issuer is not None else ""


def _classify(exc: Exception) -> SamlRefused:
    if isinstance(exc, SamlRefused):
        return exc
    if isinstance(exc, ResponseLifetimeExceed | ToEarly):
        return SamlRefused("expired", ERROR_EXPIRED)
    if isinstance(exc, UnsolicitedResponse):
        return SamlRefused("in_response_to", ERROR_IN_RESPONSE_TO)
    if isinstance(exc, StatusError):
        return SamlRefused("status", ERROR_STATUS)
    if isinstance(exc, SignatureError) or exc.__class__.__name__ in {"IncorrectlySigned", "SigverError"}:
        return SamlRefused("signature", ERROR_SIGNATURE)
    if "AudienceRestrictions" in str(exc):
        return SamlRefused("audience", ERROR_AUDIENCE)
    if "too old" in str(exc):
        return SamlRefused("expired", ERROR_EXPIRED)
    return SamlRefused("invalid", ERROR_INVALID)


def parse_response(*, saml_response: str, outstanding: dict) -> tuple[SamlIdentity, str]:
    """Validate a Response against the requests outstanding in this browser.

    Returns the identity and the id of the request it answers; raises SamlRefused."""
    kind = (outstanding.get(_in_response_to_of(saml_response)) or {}).get("kind", "spid")
    saml_client = client(kind)
    try:
        response = saml_client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=outstanding
        )
        if response is None:
            raise SamlRefused("invalid", ERROR_INVALID)
        info = response.session_info()
    except Exception as exc:
        refused = _classify(exc)
        logger.warning("SAML response refused (%s): %s", refused.reason, exc)
        raise refused from exc
    request_id = response.in_response_to
    pending = outstanding.get(request_id) or {}
    if response.issuer() != pending.get("idp"):
        raise SamlRefused("issuer", ERROR_ISSUER)
    reached = max((CLASS_REF_LEVELS.get(ref, 0) for ref, _auth, _at in info["authn_info"]), default=0)
    requested = int(pending.get("level", 1))
    if reached < requested:
        raise SamlRefused("level", ERROR_LEVEL % {"reached": reached or "?", "requested": requested})
    attributes = info["ava"]
    identity = SamlIdentity(
        idp=response.issuer(),
        level=reached,
        fiscal_number=normalise_fiscal_number(_first(attributes, "fiscalNumber")),
        first_name=_first(attributes, "name")[:150],
        last_name=_first(attributes, "familyName")[:150],
        email=_first(attributes, "email").strip().lower(),
        assertion_id=response.assertion.id,
        valid_until=datetime.fromtimestamp(response.not_on_or_after or 0, tz=UTC),
        name_id=str(info["name_id"]),
        session_index=info.get("session_index") or "",
    )
    return identity, request_id


def normalise_fiscal_number(value: str) -> str:
    """SPID sends the codice fiscale as "TINIT-<code>"; only a person's valid 16-character code passes."""
    code = value.strip().upper()
    if code.startswith("TINIT-"):
        code = code[len("TINIT-") :]
    if len(code) != 16 or not codicefiscale.is_valid(code):
        raise SamlRefused("fiscal_number", ERROR_FISCAL_NUMBER)
    return code


def _first(attributes: dict, name: str) -> str:
    values = attributes.get(name) or [""]
    return str(values[0] or "")


def answer_logout_request(*, saml_request: str, relay_state: str) -> tuple[str, str, OutgoingMessage]:
    """An identity provider ends the person's session (IdP-initiated single logout): verify its signed
    LogoutRequest and answer with a signed LogoutResponse. Returns (idp, serialised NameID, answer)."""
    from portal.saml.providers import find_provider

    provider = find_provider(_issuer_of(saml_request))
    kind = provider.kind if provider else "spid"
    saml_client = client(kind)
    try:
        parsed = saml_client.parse_logout_request(saml_request, BINDING_HTTP_POST)
        request = parsed.message if parsed else None
    except Exception as exc:
        logger.warning("SAML logout request refused: %s", exc)
        raise _classify(exc) from exc
    if request is None or request.signature is None or request.issuer is None:
        raise SamlRefused("signature", ERROR_SIGNATURE)
    idp = request.issuer.text
    location = _post_location(saml_client, idp, "slo")
    response = saml_client.create_logout_response(request, [BINDING_HTTP_POST], sign=False)
    response.issuer = _issuer(kind)
    response.destination = location
    signed = saml_client.sign(response, sign_prepare=False, sign_alg=SIGN_ALG, digest_alg=DIGEST_ALG)
    return (
        idp,
        str(request.name_id),
        OutgoingMessage(response.id, location, "SAMLResponse", _b64(signed), relay_state),
    )


def parse_logout_response(*, saml_response: str, expected_id: str, kind: str) -> bool:
    """True when the identity provider confirms (signed) the logout this browser asked for."""
    saml_client = client(kind)
    try:
        response = saml_client.parse_logout_request_response(saml_response, BINDING_HTTP_POST)
    except Exception as exc:
        logger.warning("SAML logout response refused: %s", exc)
        return False
    return bool(response) and response.in_response_to == expected_id and response.status_ok()
