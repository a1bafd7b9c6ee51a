import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from portal.choices import MFA_ROLES
from portal.context import pop_context, push_context
from portal.models.audit import AuditSource
from portal.permissions import has_role

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Seconds: how fresh what the session remembers must be (the last request, a TOTP authenticator). The
# session is written at most once in this time, not at every request.
SESSION_RESOLUTION = 60


class HealthProbeMiddleware:
    """/livez and /readyz answer before the host check and the HTTPS redirect: an orchestrator probes
    the container's own address over plain HTTP, with no Host among ALLOWED_HOSTS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path in ("/livez", "/readyz"):
            from portal import views

            return views.livez(request) if request.path == "/livez" else views.readyz(request)
        return self.get_response(request)


class RequestContextMiddleware:
    """Give each request an id (kept from X-Request-ID when sane) and remember the client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.WEB
        request.request_id = request_id
        token = push_context(source=source, request_id=request_id, ip_address=client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            pop_context(token)
        response["X-Request-ID"] = request_id
        return response


def client_ip(request) -> str | None:
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequireMFAMiddleware:
    """Officials, auditors, administrators and staff (Django admin) must activate TOTP first."""

    allowed_prefixes = ("/accounts/", "/spid/", "/static/", "/i18n/", "/healthz", "/api/schema/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.MFA_REQUIRED
            and user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and (user.is_staff or has_role(user, *MFA_ROLES))
            and not _has_totp(request)
            and not _strong_saml_session(request)
        ):
            if request.path.startswith("/api/"):
                return _mfa_forbidden()
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _strong_saml_session(request) -> bool:
    """A SPID level-2+ or CIE level-2+ login of this user counts as two factors (no TOTP needed)."""
    from portal.saml.stages import counts_as_two_factors

    sso = request.session.get("saml_sso") or {}
    return sso.get("user") == request.user.pk and counts_as_two_factors(int(sso.get("level", 0)))


def _has_totp(request) -> bool:
    """user_has_totp, remembered in the logged-in session for SESSION_RESOLUTION seconds (an
    authenticator removed meanwhile is noticed within that time)."""
    key, now = "_totp_seen", int(time.time())
    session = request.session
    seen = session.get(key)
    if seen is not None and 0 <= now - seen < SESSION_RESOLUTION:
        return True
    if not user_has_totp(request.user):
        return False
    if session.session_key is not None:  # the user's own session, never one made up for this request
        session[key] = now
    return True


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _mfa_forbidden():
    from django.http import JsonResponse

    return JsonResponse(
        {"detail": "Two-factor authentication must be activated before using the API with a session."},
        status=403,
    )


class SamlLogoutMiddleware:
    """End the portal session of a browser whose identity provider ended the SPID/CIE session
    (IdP-initiated single logout, noted in the SAML session by portal.saml.views.sls)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        saml_session = getattr(request, "saml_session", None)
        if saml_session is not None and request.user.is_authenticated:
            ended = saml_session.get("saml_idp_logout")
            sso = request.session.get("saml_sso") or {}
            if ended and sso and (ended["idp"], ended["name_id"]) == (sso.get("idp"), sso.get("name_id")):
                del saml_session["saml_idp_logout"]
                logout(request)
                return redirect(settings.LOGOUT_REDIRECT_URL)
        return self.get_response(request)


class IdleSessionTimeoutMiddleware:
    """Log out after SESSION_COOKIE_AGE seconds without a request (server-side, not only the cookie).
    The time of the last request is written when the one recorded is SESSION_RESOLUTION seconds old
    (which also renews the session's expiry), so a page costs no write to the session: the idle
    time counts from the last request, to the minute."""

    key = "_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.key)
            if last is not None and now - last > settings.SESSION_COOKIE_AGE:
                logout(request)
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if last is None or not 0 <= now - last < SESSION_RESOLUTION:
                request.session[self.key] = now
        return self.get_response(request)
