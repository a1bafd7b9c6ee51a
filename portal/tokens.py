"""Personal API tokens (services and the DRF authentication that reads them).

A token is shown once and stored as its SHA-256. It expires (API_TOKEN_DAYS, 90 by default); it is
listed and revocable on the account page. A user whose role must use TOTP (officials, auditors,
administrators) creates one only from a session that passed TOTP: otherwise the token would be a
way around the second factor. Creation, revocation and the first use from a new address are audited.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portal.audit import AuditEntry, audit_record_many
from portal.choices import MFA_ROLES
from portal.models import ApiToken, User
from portal.permissions import MANAGE_ACCOUNTS, can, has_role

ERROR_NEEDS_TOTP = _(
    "Your role protects its account with a second factor: log in again with your TOTP code, then "
    "create the token from that session."
)
ERROR_NAME_REQUIRED = _("Give the token a name, to recognise it in the list (e.g. “export script”).")
ERROR_NAME_TAKEN = _("You already have an active token named “%(name)s”.")
ERROR_TOKEN_INVALID = _("Invalid token.")
ERROR_TOKEN_EXPIRED = _("The token expired on %(date)s: create a new one on your account page.")
ERROR_TOKEN_REVOKED = _("The token was revoked.")
MAX_SEEN_IPS = 20
# The last use is written at most once a minute per token (a script may call thousands of times).
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_requires_totp(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser or has_role(user, *MFA_ROLES))


def session_passed_totp(request) -> bool:
    """Whether this session was authenticated with a second factor: a TOTP code (allauth's records),
    or a SPID or CIE login of level 2 or higher, which counts as two factors (portal.saml.stages)."""
    from allauth.account.internal.flows.login import get_authentication_records

    from portal.saml.stages import counts_as_two_factors, saml_level

    if any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user)):
        return True
    return counts_as_two_factors(saml_level(request, request.user))


def api_token_create(
    *, actor: User, name: str, passed_totp: bool, ip: str | None = None
) -> tuple[ApiToken, str]:
    """A new token for `actor`; returns it with its key, which is never shown again."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    if token_requires_totp(actor) and not passed_totp:
        raise PermissionDenied(ERROR_NEEDS_TOTP)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ValidationError(ERROR_NAME_REQUIRED, code="required")})
    now = timezone.now()
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)  # one name at a time per user
        active = ApiToken.objects.filter(user=actor, name=name, revoked_at__isnull=True, expires_at__gt=now)
        if active.exists():
            raise ValidationError(
                {"name": ValidationError(ERROR_NAME_TAKEN, code="taken", params={"name": name})}
            )
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=key[:8],
            key_hash=hash_key(key),
            created_at=now,
            created_ip=ip,
            expires_at=now + datetime.timedelta(days=settings.API_TOKEN_DAYS),
            seen_ips=[ip] if ip else [],
        )
        audit_record_many(
            [
                AuditEntry(
                    action="api_token.created",
                    actor=actor,
                    target=token,
                    after={
                        "name": name,
                        "prefix": token.prefix,
                        "expires_at": token.expires_at.isoformat(),
                        "totp_session": passed_totp,
                    },
                )
            ]
        )
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """The owner, or an administrator (a lost or leaked token), revokes a token at once: the next call
    with it gets 401."""
    if not actor.is_authenticated or (token.user_id != actor.pk and not can(actor, MANAGE_ACCOUNTS)):
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record_many(
            [
                AuditEntry(
                    action="api_token.revoked",
                    actor=actor,
                    target=locked,
                    after={"name": locked.name, "prefix": locked.prefix, "owner": locked.user_id},
                )
            ]
        )
    return locked


def api_token_list(*, user: User):
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_authenticate(*, key: str, ip: str | None) -> tuple[User, ApiToken]:
    """The user a key belongs to, if the token is live; the use is recorded (a new address audited)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key or "")).first()
    if token is None or not token.user.is_active:
        raise exceptions.AuthenticationFailed(ERROR_TOKEN_INVALID)
    if token.revoked_at is not None:
        raise exceptions.AuthenticationFailed(ERROR_TOKEN_REVOKED)
    now = timezone.now()
    if token.expires_at <= now:
        date = timezone.localtime(token.expires_at).date().isoformat()
        raise exceptions.AuthenticationFailed(ERROR_TOKEN_EXPIRED % {"date": date})
    new_ip = bool(ip) and ip not in token.seen_ips
    stale = token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION
    if new_ip or stale or token.last_used_ip != ip:
        with transaction.atomic():
            locked = ApiToken.objects.select_for_update().get(pk=token.pk)
            locked.last_used_at, locked.last_used_ip = now, ip
            fields = ["last_used_at", "last_used_ip"]
            if ip and ip not in locked.seen_ips:
                locked.seen_ips = [*locked.seen_ips, ip][-MAX_SEEN_IPS:]
                fields.append("seen_ips")
                audit_record_many(
                    [
                        AuditEntry(
                            action="api_token.new_ip",
                            actor=token.user,
                            target=locked,
                            after={"name": locked.name, "prefix": locked.prefix, "ip": ip},
                        )
                    ]
                )
            locked.save(update_fields=fields)
        token = locked
    return token.user, token


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against the personal tokens (not DRF's unexpiring ones)."""

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        from portal.middleware import client_ip

        return api_token_authenticate(key=key, ip=client_ip(self._request))
