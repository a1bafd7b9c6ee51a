"""Audit service: record events in the caller's transaction and verify the hash chain."""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from portal.bulk import bulk_insert
from portal.context import current_context
from portal.models import AuditChainHead, AuditEvent, Organisation, User


class _Encoder(DjangoJSONEncoder):
    """Decimals and dates as Django writes them; other values by their text (a country: its code)."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _is_native(value: Any) -> bool:
    """Whether `value` is already what json.loads would give back (exact types: a str subclass, a
    tuple or an int key would come back changed)."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _is_native(item) for key, item in value.items())
    if kind is list:
        return all(_is_native(item) for item in value)
    return kind is str or kind is int or kind is bool or value is None


def to_json(value: Any) -> Any:
    """Make a value JSON-native the way it will be stored (Decimals and dates become strings)."""
    if value is None or _is_native(value):  # a snapshot already is: no second round trip
        return value
    return json.loads(json.dumps(value, cls=_Encoder))


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `instance`, ready for before/after."""
    data = {}
    for name in fields:
        value = getattr(instance, _FOREIGN_KEYS[type(instance), name])
        if isinstance(value, models.Model):
            value = value.pk
        data[name] = value
    return to_json(data)


class _ForeignKeyColumns(dict):
    """(model, field name) → the attribute holding the key ("beneficiary" → "beneficiary_id"), so a
    snapshot reads the key without loading the related row."""

    def __missing__(self, key):
        model, name = key
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            attname = name
        else:
            attname = field.attname if field.concrete and field.is_relation else name
        self[key] = attname
        return attname


_FOREIGN_KEYS = _ForeignKeyColumns()


@dataclass
class AuditEntry:
    action: str
    actor: User | None = None
    organisation: Organisation | int | None = None  # the organisation, or its pk
    target: models.Model | None = None
    before: dict | None = None
    after: dict | None = None
    extra: dict = field(default_factory=dict)


def _event_payload(event: AuditEvent, target_label: str) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor": event.actor_id,
        "actor_repr": event.actor_repr,
        "organisation": event.organisation_id,
        "action": event.action,
        "target_type": target_label,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "before": event.before,
        "after": event.after,
        "source": event.source,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    target_label = ""
    if event.target_type_id:
        ct = ContentType.objects.get_for_id(event.target_type_id)
        target_label = f"{ct.app_label}.{ct.model}"
    canonical = json.dumps(
        _event_payload(event, target_label), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _build(entry: AuditEntry, *, now, context) -> AuditEvent:
    actor = entry.actor if entry.actor is not None and entry.actor.is_authenticated else None
    target = entry.target
    return AuditEvent(
        created_at=now,
        actor=actor,
        actor_repr=(actor.email if actor else "")[:254],
        **(
            {"organisation_id": entry.organisation}
            if isinstance(entry.organisation, int)
            else {"organisation": entry.organisation}
        ),
        action=entry.action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        before=to_json(entry.before),
        after=to_json({**(entry.after or {}), **entry.extra} if (entry.after or entry.extra) else None),
        source=context.source,
        request_id=context.request_id,
        ip_address=context.ip_address,
    )


def audit_record_many(entries: list[AuditEntry]) -> list[AuditEvent]:
    """Append events to the chain in order. Call it last in a service's transaction."""
    if not entries:
        return []
    context = current_context()
    now = timezone.now()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(singleton=1)
        events = []
        seq, prev_hash = head.last_seq, head.last_hash
        for entry in entries:
            event = _build(entry, now=now, context=context)
            seq += 1
            event.seq = seq
            event.prev_hash = prev_hash
            event.hash = compute_hash(event)
            prev_hash = event.hash
            events.append(event)
        bulk_insert(events)
        AuditChainHead.objects.filter(singleton=1).update(last_seq=seq, last_hash=prev_hash)
    return events


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    organisation: Organisation | None = None,
    target: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    entry = AuditEntry(
        action=action, actor=actor, organisation=organisation, target=target, before=before, after=after
    )
    return audit_record_many([entry])[0]


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    last_seq: int = 0  # the newest event verified, when ok, and its hash: the next check starts there
    last_hash: str = ""
    remaining: int = 0  # events after last_seq this call left to verify (it stopped at its limit)


def audit_verify_chain(
    *,
    chunk_size: int = 2000,
    after_seq: int = 0,
    after_hash: str = "",
    progress: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> ChainReport:
    """Recompute every hash in sequence order after event `after_seq` (whose hash is `after_hash`;
    0 and "" start from the first event) up to the chain's head, and name the first event whose link
    is broken. `checked` counts the events verified by this call; `progress` hears it every chunk.
    With `limit`, at most that many events: the report says how many are left (`remaining`)."""
    # The head first: events committed while the walk runs are left to the next check.
    head = AuditChainHead.objects.filter(singleton=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (None, None)
    expected_prev = after_hash
    expected_seq = after_seq + 1
    checked = 0
    events = AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq")
    if head_seq is not None:
        events = events.filter(seq__lte=head_seq)
    if limit is not None:
        events = events[:limit]
    for event in events.iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, "missing event (gap in the sequence)")
        if event.prev_hash != expected_prev:
            return ChainReport(False, checked, event.seq, "previous-hash link does not match")
        if compute_hash(event) != event.hash:
            return ChainReport(False, checked, event.seq, "content does not match its hash")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
        if progress is not None and checked % chunk_size == 0:
            progress(checked)
    last_seq = expected_seq - 1
    if limit is not None and checked == limit and head_seq is not None and last_seq < head_seq:
        return ChainReport(
            True, checked, last_seq=last_seq, last_hash=expected_prev, remaining=head_seq - last_seq
        )
    if head_seq is not None and (head_seq != last_seq or head_hash != expected_prev):
        return ChainReport(False, checked, last_seq + 1, "the newest events are missing")
    return ChainReport(True, checked, last_seq=last_seq, last_hash=expected_prev)
