"""Analytics sources and their API keys.

A key is `snt_<prefix>_<secret>`: random, shown once to whoever creates or rotates it, stored as
its SHA-256 only (a 256-bit random secret needs no slow hash; a fast one keeps each batch cheap).
Rotation issues a new key and lets the previous ones work until the overlap ends; revoking a
source stops all its keys at once. Every change is audited with who made it.
"""

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory import conf
from inventory.models import AnalyticsSource, SourceKey
from inventory.services.common import ERROR_REQUIRED, Errors, clean_text, field_error, require_owner
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.models import Organisation, User

KEY_PREFIX = "snt"
ERROR_NAME_TAKEN = _("%(owner)s already has an analytics source named “%(name)s”.")
ERROR_NETWORK = _("“%(value)s” is not an IP address or network (e.g. 192.0.2.10 or 192.0.2.0/24).")
ERROR_OVERLAP = _("The overlap is a number of hours from 0 to %(max)s.")
ERROR_REVOKED = _("This source is revoked: its keys no longer work.")
MAX_OVERLAP_HOURS = 24 * 30


@dataclass
class IssuedKey:
    """The only moment the key exists in clear: show it, then forget it."""

    source: AnalyticsSource
    key: str
    record: SourceKey


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key(source: AnalyticsSource, *, key: str | None = None) -> tuple[str, SourceKey]:
    prefix = key.split("_", 2)[1] if key else secrets.token_hex(4)
    key = key or f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    record = SourceKey.objects.create(source=source, prefix=prefix, digest=_digest(key))
    return key, record


def clean_allowlist(value: str) -> str:
    errors = Errors()
    lines = []
    for line in (value or "").replace(",", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            lines.append(str(ipaddress.ip_network(line, strict=False)))
        except ValueError:
            errors.add("ip_allowlist", ERROR_NETWORK, code="invalid", value=line[:60])
    errors.raise_if_any()
    return "\n".join(lines)


def source_create(
    *,
    actor: User | None,
    owner: Organisation,
    name: str,
    description: str = "",
    ip_allowlist: str = "",
    demo_key: str | None = None,
) -> IssuedKey:
    """`demo_key` fixes the key (demo data only, so that the README's example command works)."""
    require_owner(actor, owner.pk)
    name = clean_text(name, 120)
    if not name:
        raise field_error("name", ERROR_REQUIRED, code="required")
    allowlist = clean_allowlist(ip_allowlist)
    with transaction.atomic():
        try:
            with transaction.atomic():
                source = AnalyticsSource.objects.create(
                    owner=owner, name=name, description=(description or "").strip(), ip_allowlist=allowlist
                )
        except IntegrityError as exc:
            raise field_error(
                "name", ERROR_NAME_TAKEN, code="duplicate", owner=owner.name, name=name
            ) from exc
        key, record = _new_key(source, key=demo_key)
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.analytics_source.created",
                    actor=actor,
                    organisation=owner,
                    target=source,
                    after={
                        **snapshot(source, ("owner", "name", "ip_allowlist")),
                        "key_prefix": record.prefix,
                    },
                )
            ]
        )
    return IssuedKey(source=source, key=key, record=record)


def source_update(*, actor: User | None, source: AnalyticsSource, description: str, ip_allowlist: str):
    require_owner(actor, source.owner_id)
    allowlist = clean_allowlist(ip_allowlist)
    with transaction.atomic():
        source = AnalyticsSource.objects.select_for_update().get(pk=source.pk)
        before = snapshot(source, ("description", "ip_allowlist"))
        source.description = (description or "").strip()
        source.ip_allowlist = allowlist
        source.save(update_fields=["description", "ip_allowlist", "updated_at"])
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.analytics_source.updated",
                    actor=actor,
                    organisation=source.owner,
                    target=source,
                    before=before,
                    after=snapshot(source, ("description", "ip_allowlist")),
                )
            ]
        )
    _forget(source)
    return source


def source_rotate_key(*, actor: User | None, source: AnalyticsSource, overlap_hours: int = 24) -> IssuedKey:
    """A new key; the keys in use keep working for `overlap_hours` (0: they stop now)."""
    require_owner(actor, source.owner_id)
    if (
        isinstance(overlap_hours, bool)
        or not isinstance(overlap_hours, int)
        or not (0 <= overlap_hours <= MAX_OVERLAP_HOURS)
    ):
        raise field_error("overlap_hours", ERROR_OVERLAP, code="invalid", max=MAX_OVERLAP_HOURS)
    now = timezone.now()
    until = now + timezone.timedelta(hours=overlap_hours)
    with transaction.atomic():
        source = AnalyticsSource.objects.select_for_update().get(pk=source.pk)
        if source.revoked_at:
            raise field_error("source", ERROR_REVOKED, code="revoked")
        SourceKey.objects.filter(source=source, revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=until)
        ).update(expires_at=until)
        key, record = _new_key(source)
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.analytics_source.key_rotated",
                    actor=actor,
                    organisation=source.owner,
                    target=source,
                    after={"key_prefix": record.prefix, "previous_keys_valid_until": until},
                )
            ]
        )
    _forget(source)
    return IssuedKey(source=source, key=key, record=record)


def source_revoke(*, actor: User | None, source: AnalyticsSource) -> AnalyticsSource:
    require_owner(actor, source.owner_id)
    now = timezone.now()
    with transaction.atomic():
        source = AnalyticsSource.objects.select_for_update().get(pk=source.pk)
        if source.revoked_at:
            raise field_error("source", ERROR_REVOKED, code="revoked")
        source.revoked_at = now
        source.save(update_fields=["revoked_at", "updated_at"])
        SourceKey.objects.filter(source=source, revoked_at__isnull=True).update(revoked_at=now)
        audit_record_many(
            [
                AuditEntry(
                    action="inventory.analytics_source.revoked",
                    actor=actor,
                    organisation=source.owner,
                    target=source,
                    after={"revoked_at": now},
                )
            ]
        )
    _forget(source)
    return source


# --- Authentication of a posting source ---------------------------------------------------------------
def _cache_key(prefix: str) -> str:
    return f"analytics-key:{prefix}"


def _forget(source: AnalyticsSource) -> None:
    cache.delete_many(
        [_cache_key(p) for p in SourceKey.objects.filter(source=source).values_list("prefix", flat=True)]
    )


def source_authenticate(*, key: str, ip_address: str | None) -> AnalyticsSource | None:
    """The active source whose valid key this is, posting from an allowed address; else None.
    The key record is cached briefly (`ANALYTICS_KEY_CACHE_SECONDS`): changes forget it at once."""
    parts = (key or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    prefix = parts[1]
    entry = cache.get(_cache_key(prefix))
    if entry is None:
        record = (
            SourceKey.objects.select_related("source")
            .filter(prefix=prefix, revoked_at__isnull=True, source__revoked_at__isnull=True)
            .first()
        )
        if record is None:
            return None
        entry = (record.digest, record.expires_at, record.source)
        cache.set(_cache_key(prefix), entry, conf.get("ANALYTICS_KEY_CACHE_SECONDS"))
    digest, expires_at, source = entry
    if not hmac.compare_digest(digest, _digest(key)):
        return None
    if expires_at is not None and expires_at <= timezone.now():
        return None
    if not ip_allowed(source, ip_address):
        return None
    return source


def ip_allowed(source: AnalyticsSource, ip_address: str | None) -> bool:
    networks = source.allowed_networks
    if not networks:
        return True
    if not ip_address:
        return False
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def source_rate_check(*, source: AnalyticsSource) -> int | None:
    """None when the source may post now; else the seconds to wait (a fixed window per minute)."""
    limit = conf.get("ANALYTICS_BATCHES_PER_MINUTE")
    if not limit:
        return None
    now = timezone.now()
    window = int(now.timestamp()) // 60
    key = f"analytics-rate:{source.pk}:{window}"
    cache.add(key, 0, 90)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 90)
        count = 1
    if count > limit:
        return 60 - int(now.timestamp()) % 60
    return None
