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
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory import conf
from inventory.choices import DeviceStatus
from inventory.events import ERROR_INVALID, Event, EventErrors, decode_event, personal_data_error
from inventory.models import AnalyticsSource
from inventory.services import event_store
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

    known = event_store.known_event_ids(source.pk, [item[1].event_id for item in ready]) if ready else set()
    fresh = [item for item in ready if item[1].event_id not in known]
    inserted: set[uuid.UUID] = set()
    if fresh:
        ensure_months_for(item[1].occurred_at for item in fresh)
        inserted, refused = _store(source, fresh, now)
        if inserted:
            _queue_rules(source, [item[1].occurred_at for item in fresh if item[1].event_id in inserted])
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
    for pk, tag, serial, status in event_store.devices_matching(source.owner_id, sorted(refs)):
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
        reason = personal_data_error(ref)  # a plate or a person's id is named as such, never stored
        return str(reason) if reason else str(ERROR_UNKNOWN_DEVICE) % {"owner": source.owner.name}
    found = devices[ref]
    if found is None:
        return str(ERROR_AMBIGUOUS_DEVICE) % {"owner": source.owner.name}
    if found[1] != DeviceStatus.DEPLOYED:
        return str(ERROR_NOT_DEPLOYED) % {"status": DeviceStatus(found[1]).label}
    return None


def _store(source, fresh, now) -> tuple[set[uuid.UUID], dict[int, str]]:
    """Insert the events in one transaction; (event ids stored, {index: reason} of devices that
    stopped being deployed meanwhile)."""
    refused: dict[int, str] = {}
    with transaction.atomic():
        locked = event_store.lock_devices(list({device_id for _, _, device_id in fresh}))
        rows = []
        for index, event, device_id in fresh:
            status = locked[device_id][0]
            if status != DeviceStatus.DEPLOYED:
                refused[index] = str(ERROR_NOT_DEPLOYED) % {"status": DeviceStatus(status).label}
                continue
            rows.append(
                (
                    event.event_id,
                    device_id,
                    event.occurred_at,
                    event.kind.value,
                    event.severity.value,
                    event.value,
                    event.zone,
                    event.confidence,
                )
            )
        if not rows:
            return set(), refused
        inserted = event_store.insert_events(source.pk, now, rows)
        stored = [row for row in rows if row[0] in inserted]
        if stored:
            event_store.add_daily(_daily_figures(stored))
            latest: dict[int, datetime.datetime] = {}
            for row in stored:
                if row[1] not in latest or row[2] > latest[row[1]]:
                    latest[row[1]] = row[2]
            later = {pk: at for pk, at in latest.items() if locked[pk][1] is None or locked[pk][1] < at}
            if later:
                event_store.move_last_seen(later)
    return inserted, refused


def _queue_rules(source: AnalyticsSource, moments: list[datetime.datetime]) -> None:
    """The source's threshold rules look at the new events once they are committed."""
    from inventory.models import AnalyticsRule
    from inventory.tasks import analytics_rules
    from portal.jobs import enqueue

    if moments and AnalyticsRule.objects.filter(source=source, is_active=True).exists():
        enqueue(analytics_rules, source.pk, min(moments).isoformat(), max(moments).isoformat())


def _daily_figures(stored: list[tuple]) -> list[tuple]:
    """(device, kind, day in the portal's time zone, count, value count, value sum, value max)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    figures: dict[tuple, list] = {}
    for _event_id, device_id, occurred, kind, _severity, value, _zone, _confidence in stored:
        figure = figures.setdefault((device_id, kind, occurred.astimezone(zone).date()), [0, 0, 0.0, None])
        figure[0] += 1
        if value is not None:
            figure[1] += 1
            figure[2] += value
            figure[3] = value if figure[3] is None else max(figure[3], value)
    return [(*key, *figure) for key, figure in sorted(figures.items())]
