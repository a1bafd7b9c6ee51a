"""SPID and CIE endpoints. Thin: SAML work is in portal.saml.protocol, accounts in portal.saml.services."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as django_logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from djangosaml2.cache import OutstandingQueriesCache

from portal.audit import audit_record
from portal.saml import protocol, services
from portal.saml.conf import key_pair_configured, saml_enabled
from portal.saml.linking import link_by_email_view, link_view, log_in, stash_pending
from portal.saml.metadata import sp_metadata_xml
from portal.saml.providers import find_provider, level_for
from portal.saml.registration import register_confirm_view, register_view

SLO_KEY = "saml_logout_request"
IDP_LOGOUT_KEY = "saml_idp_logout"


@require_GET
@cache_control(public=True, max_age=3600)
def metadata(request, kind="spid"):
    """The SP's signed metadata at the stable address AgID registers (its entity id); CIE ID's flavour
    at /spid/metadata/cie/."""
    if not key_pair_configured():
        raise Http404("The SP has no key pair yet (SAML_KEY_FILE, SAML_CERT_FILE).")
    return HttpResponse(sp_metadata_xml(kind), content_type="application/samlmetadata+xml; charset=utf-8")


def _post_to_idp(request, message: protocol.OutgoingMessage, *, title: str) -> HttpResponse:
    """The browser carries the signed message to the identity provider (HTTP-POST binding)."""
    response = render(request, "portal/saml/post.html", {"message": message, "title": title})
    target = urlsplit(message.action)
    # The page's CSP lets forms post only to the portal: this one may post to this provider too.
    response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return response


def _safe_next(request) -> str:
    next_url = request.GET.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return reverse(settings.LOGIN_REDIRECT_URL)
    return next_url


@never_cache
@require_GET
def login(request):
    """Start a SPID or CIE login (or, with ?link=1 while logged in, link SPID/CIE to this account)."""
    provider = find_provider(request.GET.get("idp", "")) if saml_enabled() else None
    if provider is None:
        messages.error(request, _("Choose your identity provider from the list."))
        return redirect("account_login")
    linking = request.user.is_authenticated and request.GET.get("link") == "1"
    if request.user.is_authenticated and not linking:
        return redirect(_safe_next(request))
    level = level_for(provider)
    message = protocol.authn_request(
        idp=provider.entity_id, kind=provider.kind, level=level, relay_state=secrets.token_urlsafe(16)
    )
    OutstandingQueriesCache(request.saml_session).set(
        message.id,
        {
            "idp": provider.entity_id,
            "kind": provider.kind,
            "level": level,
            "next": _safe_next(request),
            "link_user": request.user.pk if linking else None,
        },
    )
    return _post_to_idp(request, message, title=_("Redirecting to %(name)s") % {"name": provider.name})


def _refused(request, refused: protocol.SamlRefused) -> HttpResponse:
    audit_record(action="auth.saml_refused", after={"reason": refused.reason})
    return render(request, "portal/saml/refused.html", {"message": refused.message}, status=403)


@csrf_exempt  # a SAML Response is authenticated by the identity provider's signature, not a CSRF token
@never_cache
@require_POST
def acs(request):
    """Assertion consumer: validate the signed Response, then open, link or create the account."""
    outstanding = OutstandingQueriesCache(request.saml_session)
    saml_response = request.POST.get("SAMLResponse", "")
    try:
        services.saml_assertion_check_unused(assertion_id=protocol.assertion_id_of(saml_response))
        identity, request_id = protocol.parse_response(
            saml_response=saml_response, outstanding=outstanding.outstanding_queries()
        )
        pending = outstanding.outstanding_queries()[request_id]
        outstanding.delete(request_id)
        services.saml_assertion_consume(identity=identity)
    except protocol.SamlRefused as refused:
        return _refused(request, refused)
    context = {"kind": pending.get("kind", "spid"), "next": pending.get("next") or "/"}
    try:
        if pending.get("link_user"):
            user = services.saml_account_link_by_session(user_id=pending["link_user"], identity=identity)
            messages.success(request, _("SPID/CIE is now linked to your account."))
            return log_in(request, user=user, identity=identity, **context)
        resolution = services.saml_account_resolve(identity=identity)
        if resolution.action == "prove":
            stash_pending(request, identity=identity, user=resolution.user, **context)
            return redirect("saml:link")
        user = resolution.user
        if resolution.action == "create" and not identity.email:
            # CIE ID sends no e-mail address: the person gives one and confirms it first.
            stash_pending(request, identity=identity, user=None, **context)
            return redirect("saml:register")
        if resolution.action == "create":
            user = services.saml_account_create(identity=identity)
    except ValidationError as error:
        return _refused(request, protocol.SamlRefused("account", " ".join(error.messages)))
    return log_in(request, user=user, identity=identity, **context)


@require_POST
def logout(request):
    """Log out here at once, then ask the identity provider to end its session too (single logout)."""
    sso = request.session.get("saml_sso")
    django_logout(request)
    if not sso:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    try:
        message = protocol.logout_request(
            idp=sso["idp"],
            kind=sso.get("kind", "spid"),
            name_id=sso["name_id"],
            session_index=sso.get("session_index", ""),
        )
    except protocol.SamlRefused:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    request.saml_session[SLO_KEY] = {"id": message.id, "kind": sso.get("kind", "spid")}
    return _post_to_idp(request, message, title=_("Logging out of your identity provider"))


@csrf_exempt  # the identity provider's signed LogoutRequest or LogoutResponse, a cross-site POST
@require_http_methods(["POST"])
def sls(request):
    """Single logout service: the identity provider confirms the logout this browser asked for, or
    (IdP-initiated) ends the session itself."""
    if "SAMLRequest" in request.POST:
        return _idp_initiated_logout(request)
    expected = request.saml_session.pop(SLO_KEY, None) or {}
    confirmed = bool(expected) and protocol.parse_logout_response(
        saml_response=request.POST.get("SAMLResponse", ""), expected_id=expected["id"], kind=expected["kind"]
    )
    if confirmed:
        messages.success(request, _("You have logged out of the portal and of your identity provider."))
    else:
        messages.warning(
            request,
            _("You have logged out of the portal; the identity provider did not confirm its own logout."),
        )
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _idp_initiated_logout(request):
    """The portal's session cookie (SameSite=Lax) does not come with the identity provider's
    cross-site POST; the SAML session's does. The logout is noted there, and the portal's session of
    this browser ends at its next request (portal.middleware.SamlLogoutMiddleware)."""
    try:
        idp, name_id, answer = protocol.answer_logout_request(
            saml_request=request.POST["SAMLRequest"], relay_state=request.POST.get("RelayState", "")
        )
    except protocol.SamlRefused as refused:
        return _refused(request, refused)
    request.saml_session[IDP_LOGOUT_KEY] = {"idp": idp, "name_id": name_id}
    if request.user.is_authenticated and (request.session.get("saml_sso") or {}).get("name_id") == name_id:
        django_logout(request)
    return _post_to_idp(request, answer, title=_("Logging out of your identity provider"))


link = link_view
register = register_view
register_confirm = register_confirm_view
link_by_email = link_by_email_view
