"""Ingestion of a batch of analytics events from an authenticated source.

One result per event, in order: accepted, duplicate (the source's event id was stored before, or
repeats within the batch) or rejected with the reason of each refused field. A bad event never
blocks the good ones; a fault of the whole batch (malformed body, too many events) raises
BatchError before anything is written.

The accepted events are written in one transaction: the devices' rows are locked in id order (two
batches touching the same devices queue instead of deadlocking), the events go in with one multi-row
INSERT ... ON CONFLICT DO NOTHING RETURNING (so two identical batches at the same moment store each
event once, and each learns which ones it stored), the daily figures move by the inserted events
only, and each device's "last seen" moves forward.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import msgspec
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory import conf
from inventory.choices import DeviceStatus
from inventory.events import ERROR_INVALID, Event, EventErrors, decode_event
from inventory.models import AnalyticsEvent, AnalyticsSource, Device, DeviceDailyStat
from inventory.services.partitions import ensure_months_for

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
ERROR_MALFORMED = _("The body is not a JSON array of events (or NDJSON, one event per line): %(detail)s")
ERROR_EMPTY = _("The batch holds no event.")
ERROR_TOO_MANY = _("A batch holds at most %(limit)s events; this one has %(count)s.")
ERROR_UNKNOWN_DEVICE = _(
    "No device of %(owner)s has this asset tag or serial number: a source reports only on its "
    "organisation's devices."
)
ERROR_AMBIGUOUS_DEVICE = _("Several devices of %(owner)s have this serial number: use the asset tag.")
ERROR_NOT_DEPLOYED = _("The device is “%(status)s”, not deployed: only deployed devices report.")


class BatchError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def parse_batch(body: bytes, *, ndjson: bool) -> list:
    """The events of a body as raw JSON documents, not yet validated (each is validated alone)."""
    limit = conf.get("ANALYTICS_BATCH_MAX_EVENTS")
    if ndjson:
        raws = [line for line in body.split(b"\n") if line.strip()]
    else:
        try:
            raws = msgspec.json.decode(body, type=list[msgspec.Raw])
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise BatchError(400, str(ERROR_MALFORMED) % {"detail": exc}) from exc
    if not raws:
        raise BatchError(400, str(ERROR_EMPTY))
    if len(raws) > limit:
        raise BatchError(413, str(ERROR_TOO_MANY) % {"limit": limit, "count": len(raws)})
    return raws


@dataclass
class IngestResult:
    results: list[dict]
    counts: dict[str, int] = field(default_factory=dict)


def _rejected(index: int, errors: dict) -> dict:
    return {"index": index, "status": REJECTED, "errors": errors}


def events_ingest(
    *, source: AnalyticsSource, raws: list, now: datetime.datetime | None = None
) -> IngestResult:
    now = now or timezone.now()
    options = {
        "now": now,
        "skew_seconds": conf.get("ANALYTICS_CLOCK_SKEW_SECONDS"),
        "retention_days": conf.get("ANALYTICS_RETENTION_DAYS"),
        "max_bytes": conf.get("ANALYTICS_EVENT_MAX_BYTES"),
    }
    results: list[dict | None] = [None] * len(raws)
    valid: list[tuple[int, Event]] = []
    seen: set[uuid.UUID] = set()
    for index, raw in enumerate(raws):
        try:
            event, errors = decode_event(raw, **options)
        except msgspec.DecodeError as exc:  # an NDJSON line that is not JSON
            errors = EventErrors()
            errors.add("__all__", ERROR_INVALID, detail=str(exc))
            event = None
        if errors:
            results[index] = _rejected(index, errors)
        elif event.event_id in seen:
            results[index] = {"index": index, "event_id": str(event.event_id), "status": DUPLICATE}
        else:
            seen.add(event.event_id)
            valid.append((index, event))

    devices = _resolve_devices(source, {event.device for _, event in valid})
    ready: list[tuple[int, Event, int]] = []
    for index, event in valid:
        error = _device_error(source, event.device, devices)
        if error:
            results[index] = _rejected(index, {"device": [error]})
        else:
            ready.append((index, event, devices[event.device][0]))

    known = set()
    if ready:
        known = set(
            AnalyticsEvent.objects.filter(
                source=source, event_id__in=[item[1].event_id for item in ready]
            ).values_list("event_id", flat=True)
        )
    fresh = [item for item in ready if item[1].event_id not in known]
    inserted: set[uuid.UUID] = set()
    if fresh:
        ensure_months_for(item[1].occurred_at for item in fresh)
        inserted, refused = _store(source, fresh, now)
        for index, reason in refused.items():
            results[index] = _rejected(index, {"device": [reason]})
    for index, event, _device in ready:
        if results[index] is None:
            status = ACCEPTED if event.event_id in inserted else DUPLICATE
            results[index] = {"index": index, "event_id": str(event.event_id), "status": status}
    counts = {ACCEPTED: 0, DUPLICATE: 0, REJECTED: 0}
    for result in results:
        counts[result["status"]] += 1
    return IngestResult(results=results, counts=counts)


def _resolve_devices(source: AnalyticsSource, refs: set[str]) -> dict[str, tuple | None]:
    """reference -> (device id, status) among the source's organisation's devices; None when
    several devices share the serial. An asset tag wins over a serial."""
    if not refs:
        return {}
    by_tag, by_serial = {}, defaultdict(list)
    rows = Device.objects.filter(owner_id=source.owner_id).filter(
        Q(asset_tag__in=refs) | Q(serial_number__in=refs)
    )
    for pk, tag, serial, status in rows.values_list("pk", "asset_tag", "serial_number", "status"):
        if tag in refs:
            by_tag[tag] = (pk, status)
        if serial in refs:
            by_serial[serial].append((pk, status))
    found = {}
    for ref in refs:
        if ref in by_tag:
            found[ref] = by_tag[ref]
        elif ref in by_serial:
            found[ref] = by_serial[ref][0] if len(by_serial[ref]) == 1 else None
    return found


def _device_error(source: AnalyticsSource, ref: str, devices: dict) -> str | None:
    if ref not in devices:
        return str(ERROR_UNKNOWN_DEVICE) % {"owner": source.owner.name}
    found = devices[ref]
    if found is None:
        return str(ERROR_AMBIGUOUS_DEVICE) % {"owner": source.owner.name}
    if found[1] != DeviceStatus.DEPLOYED:
        return str(ERROR_NOT_DEPLOYED) % {"status": DeviceStatus(found[1]).label}
    return None


def _prep(field_name: str):
    db_field = AnalyticsEvent._meta.get_field(field_name)
    return lambda value: db_field.get_db_prep_value(value, connection, prepared=False)


def _store(source, fresh, now) -> tuple[set[uuid.UUID], dict[int, str]]:
    """Insert the events in one transaction; (event ids stored, {index: reason} of devices that
    stopped being deployed meanwhile)."""
    prep_uuid, prep_time = _prep("event_id"), _prep("occurred_at")
    received = prep_time(now)
    refused: dict[int, str] = {}
    with transaction.atomic():
        ids = sorted({device_id for _, _, device_id in fresh})
        locked = {
            pk: (status, seen)
            for pk, status, seen in Device.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "status", "last_seen_at")
        }
        rows, params = [], []
        for index, event, device_id in fresh:
            if locked[device_id][0] != DeviceStatus.DEPLOYED:
                refused[index] = str(ERROR_NOT_DEPLOYED) % {
                    "status": DeviceStatus(locked[device_id][0]).label
                }
                continue
            rows.append((event, device_id))
            params += [
                source.pk,
                prep_uuid(event.event_id),
                device_id,
                prep_time(event.occurred_at),
                received,
                event.kind.value,
                event.severity.value,
                event.value,
                event.zone,
                event.confidence,
            ]
        if not rows:
            return set(), refused
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO inventory_analyticsevent (source_id, event_id, device_id, occurred_at, "  # noqa: S608
                "received_at, kind, severity, value, zone, confidence) VALUES "
                + ",".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
                + " ON CONFLICT (source_id, event_id, occurred_at) DO NOTHING RETURNING event_id",
                params,
            )
            inserted = {
                value if isinstance(value, uuid.UUID) else uuid.UUID(value) for (value,) in cursor.fetchall()
            }
        stored = [(event, device_id) for event, device_id in rows if event.event_id in inserted]
        _add_to_daily_figures(stored)
        _move_last_seen(stored, {pk: seen for pk, (_, seen) in locked.items()})
    return inserted, refused


def _add_to_daily_figures(stored: list[tuple[Event, int]]) -> None:
    zone = ZoneInfo(settings.TIME_ZONE)
    figures: dict[tuple, list] = {}
    for event, device_id in stored:
        key = (device_id, event.kind.value, event.occurred_at.astimezone(zone).date())
        figure = figures.setdefault(key, [0, 0, 0.0, None])
        figure[0] += 1
        if event.value is not None:
            figure[1] += 1
            figure[2] += event.value
            figure[3] = event.value if figure[3] is None else max(figure[3], event.value)
    if not figures:
        return
    prep_day = DeviceDailyStat._meta.get_field("day")
    params = []
    for (device_id, kind, day), (count, value_count, value_sum, value_max) in sorted(figures.items()):
        params += [
            device_id,
            kind,
            prep_day.get_db_prep_value(day, connection),
            count,
            value_count,
            value_sum,
            value_max,
        ]
    t = "inventory_devicedailystat"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {t} (device_id, kind, day, count, value_count, value_sum, value_max) VALUES "  # noqa: S608
            + ",".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(figures))
            + f" ON CONFLICT (device_id, kind, day) DO UPDATE SET count = {t}.count + excluded.count, "
            f"value_count = {t}.value_count + excluded.value_count, "
            f"value_sum = {t}.value_sum + excluded.value_sum, "
            f"value_max = CASE WHEN excluded.value_max IS NULL THEN {t}.value_max "
            f"WHEN {t}.value_max IS NULL OR excluded.value_max > {t}.value_max THEN excluded.value_max "
            f"ELSE {t}.value_max END",
            params,
        )


def _move_last_seen(stored: list[tuple[Event, int]], current: dict) -> None:
    latest: dict[int, datetime.datetime] = {}
    for event, device_id in stored:
        if device_id not in latest or event.occurred_at > latest[device_id]:
            latest[device_id] = event.occurred_at
    newer = {pk: at for pk, at in latest.items() if current.get(pk) is None or current[pk] < at}
    if newer:
        Device.objects.filter(pk__in=newer).update(
            last_seen_at=Case(
                *[When(pk=pk, then=Value(at)) for pk, at in newer.items()], output_field=DateTimeField()
            )
        )
