"""Security events in the audit trail: refused access to an object that exists (403, or 404 when the
object is hidden from the caller), wrong second-factor codes, logins refused while rate-limited.

They go through the same hash chain as every other event, under their own rate limit so that a flood
(a scanner, a script retrying with a revoked token) cannot swamp the chain: per kind of event and
caller (user or address) at most SECURITY_EVENTS_PER_MINUTE a minute, and SECURITY_EVENTS_GLOBAL_PER_MINUTE
in all; the first event over a limit is recorded as "security.rate_limited" (saying what is no longer
recorded that minute), the rest are only counted in the log.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from portal.audit import AuditEntry, audit_record_many
from portal.constants import SECURITY_EVENT_PREFIX

logger = logging.getLogger("sentinella.security")

ACCESS_DENIED = "security.access_denied"  # 403
OBJECT_HIDDEN = "security.object_hidden"  # 404 on an object that exists but is not the caller's
TOTP_FAILED = "security.totp_failed"
LOGIN_RATE_LIMITED = "security.login_rate_limited"
RATE_LIMITED = "security.rate_limited"
PREFIX = SECURITY_EVENT_PREFIX


def _count(key: str) -> int:
    """Increment a per-minute counter in the cache (shared by every process) and return it."""
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        return 1


def security_event(*, action: str, actor=None, who: str = "", details: dict | None = None) -> bool:
    """Record a security event unless its rate limit is spent; returns whether it was recorded.
    Never raises: a failure to record must not turn a refusal into a server error."""
    if not settings.SECURITY_EVENTS_ENABLED:
        return False
    try:
        actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        caller = f"user:{actor.pk}" if actor else f"who:{who or '-'}"
        minute = int(time.time() // 60)
        per_caller = _count(f"secev:{minute}:{action}:{caller}")
        overall = _count(f"secev:{minute}:all")
        limit, global_limit = settings.SECURITY_EVENTS_PER_MINUTE, settings.SECURITY_EVENTS_GLOBAL_PER_MINUTE
        if per_caller > limit or overall > global_limit:
            first_over = per_caller == limit + 1 or overall == global_limit + 1
            if first_over:
                scope = "caller" if per_caller > limit else "all"
                audit_record_many(
                    [
                        AuditEntry(
                            action=RATE_LIMITED,
                            actor=actor,
                            after={"suppressed": action, "scope": scope, "who": who, "for_seconds": 60},
                        )
                    ]
                )
            logger.warning("security event not recorded (rate limit): %s %s %s", action, caller, details)
            return False
        audit_record_many([AuditEntry(action=action, actor=actor, after={"who": who, **(details or {})})])
        return True
    except Exception:
        logger.exception("security event could not be recorded: %s", action)
        return False


def hide_object(request, model, pk) -> None:
    """Views call this before answering 404 for an object the caller may not see: if it exists, the
    middleware records the refusal (a 404 for an object that does not exist is not an event)."""
    try:
        exists = model._default_manager.filter(pk=pk).exists()
    except (ValueError, TypeError):
        return
    if exists:
        target = getattr(request, "_request", request)
        target.security_hidden_object = {"model": model._meta.label, "id": str(pk)}


def visible_or_404(request, queryset, **lookup):
    """get_object_or_404 on what the user may see, recording a hidden object that exists."""
    from django.http import Http404

    found = queryset.filter(**lookup).first()
    if found is None:
        if "pk" in lookup:
            hide_object(request, queryset.model, lookup["pk"])
        raise Http404
    return found


class SecurityEventMiddleware:
    """After each response: a 403, or a 404 a view marked as a hidden object, is a security event."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        hidden = getattr(request, "security_hidden_object", None)
        if status == 403 or (status == 404 and hidden):
            from portal.middleware import client_ip

            user = getattr(request, "user", None)
            security_event(
                action=ACCESS_DENIED if status == 403 else OBJECT_HIDDEN,
                actor=user,
                who=client_ip(request) or "",
                details={"method": request.method, "path": request.path[:300], "status": status}
                | ({"object": hidden} if hidden else {}),
            )
        return response


def on_mfa_failed(sender, request=None, authenticator=None, reauthentication=False, **kwargs):
    """allauth's signal for a wrong TOTP (or recovery) code."""
    from portal.middleware import client_ip

    user = getattr(authenticator, "user", None)
    security_event(
        action=TOTP_FAILED,
        actor=user,
        who=f"{getattr(user, 'email', '')}@{client_ip(request) or ''}" if request else "",
        details={"user": getattr(user, "pk", None), "reauthentication": bool(reauthentication)},
    )
