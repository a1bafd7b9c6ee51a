"""Reads for the portal app, always scoped to what the user may see."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet, Window
from django.utils import timezone

from portal.constants import SECURITY_EVENT_PREFIX
from portal.models import AccessRequestStatus, ApiToken, AuditEvent, Comune, ComunePopulation, Organisation
from portal.permissions import READ_AUDIT, can, visible_organisation_ids


def count_and_head(qs: QuerySet, n: int) -> tuple[int, list]:
    """How many rows `qs` holds and its first `n`, in one query: the count is a window over the whole
    result, computed before the LIMIT (no row: none to count). A home page's work queue shows a few
    items of each kind and how many there are."""
    rows = list(qs.annotate(_rows_in_all=Window(Count("*")))[:n])
    return (rows[0]._rows_in_all if rows else 0), rows


def organisation_list(*, user) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("comune", "comune__province", "province")
    if not user.is_authenticated:
        return qs.none()
    visible = visible_organisation_ids(user)
    return qs if visible is None else qs.filter(pk__in=visible)


def comune_list(*, user) -> QuerySet[Comune]:
    """Comuni are public reference data: any logged-in user may read them."""
    if not user.is_authenticated:
        return Comune.objects.none()
    return Comune.objects.select_related("province").prefetch_related(
        Prefetch("populations", queryset=ComunePopulation.objects.order_by("reference_date"))
    )


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    if not can(user, READ_AUDIT):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor", "organisation", "target_type")


def access_request_list(*, user):
    """Approvers see every request; anyone else only their own."""
    from portal.models import AccessRequest
    from portal.permissions import APPROVE_ACCESS

    if not user.is_authenticated:
        return AccessRequest.objects.none()
    qs = AccessRequest.objects.select_related("user", "comune", "organisation", "decided_by").order_by(
        "status", "-created_at"
    )
    return qs if can(user, APPROVE_ACCESS) else qs.filter(user=user)


def administrator_queue(*, user) -> dict:
    """What needs the administrator now: access requests awaiting a decision, security events of the
    last seven days, personal API tokens that expire within fourteen days (their owners will need new
    ones), and the accounts and organisations there are."""
    now = timezone.now()
    return {
        "access_requests": access_request_list(user=user).filter(status=AccessRequestStatus.PENDING).count(),
        "security_events": audit_event_list(user=user)
        .filter(action__startswith=SECURITY_EVENT_PREFIX, created_at__gte=now - datetime.timedelta(days=7))
        .count(),
        "tokens_expiring": ApiToken.objects.filter(
            revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=now + datetime.timedelta(days=14)
        ).count(),
        "users": get_user_model().objects.filter(is_active=True).count(),
        "organisations": Organisation.objects.count(),
    }
