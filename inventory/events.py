"""The analytics event as a source may post it, and nothing else (GDPR art. 5: minimisation).

msgspec decodes and validates each event straight from the request's bytes (the hot path of
ingestion); an event that fails is decoded again field by field so that the answer names every
refused field with its reason. Free text (the device reference, the zone or rule name) is searched
for what must never be stored: licence plates, codici fiscali, e-mail addresses, people's or faces'
identifiers, images or other binary data carried as text.
"""

import datetime
import re
import uuid
from typing import Annotated

import msgspec
from django.utils.translation import gettext_lazy as _

from inventory.choices import EventKind, EventSeverity

ALLOWED_FIELDS = ("event_id", "device", "occurred_at", "kind", "severity", "value", "zone", "confidence")

ERROR_NOT_OBJECT = _("An event is a JSON object.")
ERROR_TOO_LARGE = _("The event is larger than %(limit)s bytes.")
ERROR_FIELD_NOT_ALLOWED = _(
    "Field not allowed: an event carries only event_id, device, occurred_at, kind, severity, value, "
    "zone and confidence."
)
ERROR_REQUIRED = _("This field is required.")
ERROR_INVALID = _("Invalid value (%(detail)s).")
ERROR_UUID = _("Enter the event's id as a UUID.")
ERROR_DATETIME = _("Enter an ISO 8601 date and time with its UTC offset (e.g. 2026-03-01T10:15:00+01:00).")
ERROR_KIND = _("Unknown kind of event; allowed: %(allowed)s.")
ERROR_SEVERITY = _("Unknown severity; allowed: %(allowed)s.")
ERROR_NUMBER = _("Enter a number.")
ERROR_CONFIDENCE = _("Confidence is a number from 0 to 1.")
ERROR_TEXT = _("Enter text of at most %(limit)s characters.")
ERROR_FUTURE = _("The event is in the future (more than %(seconds)s seconds ahead of the server's clock).")
ERROR_TOO_OLD = _(
    "The event is older than the retention period (%(days)s days): it would be deleted at once."
)
ERROR_VALUE_REQUIRED = _("A crowd density event carries its value (people per m² or a count).")
ERROR_VALUE_NEGATIVE = _("The value of a crowd density cannot be negative.")
ERROR_PLATE = _("Looks like a licence plate: plates are personal data and are never stored.")
ERROR_TAX_CODE = _("Looks like a codice fiscale: personal data is never stored.")
ERROR_PERSON = _("Looks like the identifier of a person or a face: personal data is never stored.")
ERROR_EMAIL = _("Looks like an e-mail address: personal data is never stored.")
ERROR_BLOB = _("Looks like an image or binary data: events carry metadata only.")

TEXT_LIMIT = 100

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_LIMIT)]
OptionalText = Annotated[str, msgspec.Meta(max_length=TEXT_LIMIT)]
AwareDatetime = Annotated[datetime.datetime, msgspec.Meta(tz=True)]
Confidence = Annotated[float, msgspec.Meta(ge=0, le=1)]


class Event(msgspec.Struct, forbid_unknown_fields=True):
    event_id: uuid.UUID
    device: Text
    occurred_at: AwareDatetime
    kind: EventKind
    severity: EventSeverity = EventSeverity.INFORMATIONAL
    value: float | None = None
    zone: OptionalText = ""
    confidence: Confidence | None = None


# One type per field, to name every wrong field of an event that failed as a whole.
FIELD_TYPES = {
    "event_id": (uuid.UUID, ERROR_UUID),
    "device": (Text, ERROR_TEXT),
    "occurred_at": (AwareDatetime, ERROR_DATETIME),
    "kind": (EventKind, ERROR_KIND),
    "severity": (EventSeverity, ERROR_SEVERITY),
    "value": (float | None, ERROR_NUMBER),
    "zone": (OptionalText, ERROR_TEXT),
    "confidence": (Confidence | None, ERROR_CONFIDENCE),
}
REQUIRED_FIELDS = ("event_id", "device", "occurred_at", "kind")
PARAMS = {
    ERROR_KIND: {"allowed": ", ".join(EventKind.values)},
    ERROR_SEVERITY: {"allowed": ", ".join(EventSeverity.values)},
    ERROR_TEXT: {"limit": TEXT_LIMIT},
}

_PLATE = (
    re.compile(r"(?<![A-Z0-9])[A-Z]{2}[\s-]?\d{3}[\s-]?[A-Z]{2}(?![A-Z0-9])", re.IGNORECASE),  # AB 123 CD
    re.compile(r"(?<![A-Z0-9])[A-Z]{2}[\s-]?\d{5,6}(?![A-Z0-9])"),  # motorcycles, older provincial plates
)
_TAX_CODE = re.compile(
    r"(?<![A-Z0-9])[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![A-Z0-9])",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"\b(?:person[ae]?|people|persone|face|faces|volto|viso|faccia|individu\w*|subject|soggetto|"
    r"track|tracking|pedestrian|pedone|driver|autista|passenger|passeggero)"
    r"(?:[\s_\-#:.]*(?:id|n|no|nr|num))?[\s_\-#:.]*[0-9a-f]*\d",
    re.IGNORECASE,
)
_PERSON_ID = re.compile(r"\b(?:face|person|track|subject|driver)_?id\b", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
_BLOB = (
    re.compile(r"data:[\w/+.-]*;base64", re.IGNORECASE),
    re.compile(r"[A-Za-z0-9+/]{40,}={0,2}"),  # a run of base64 longer than any name
    re.compile(r"(?:\\x[0-9a-f]{2}){4,}", re.IGNORECASE),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def personal_data_error(text: str):
    """The reason a piece of free text is refused, or None."""
    if _CONTROL.search(text) or any(p.search(text) for p in _BLOB):
        return ERROR_BLOB
    if _TAX_CODE.search(text):
        return ERROR_TAX_CODE
    if any(p.search(text) for p in _PLATE):
        return ERROR_PLATE
    if _EMAIL.search(text):
        return ERROR_EMAIL
    if _PERSON.search(text) or _PERSON_ID.search(text):
        return ERROR_PERSON
    return None


class EventErrors(dict):
    """{field: [message, ...]} of one refused event, messages already in the user's language."""

    def add(self, field: str, message, **params) -> None:
        params = params or PARAMS.get(message)
        self.setdefault(field, []).append(str(message) % params if params else str(message))


def decode_event(
    raw: bytes, *, now: datetime.datetime, skew_seconds: int, retention_days: int, max_bytes: int
):
    """(Event, None) or (None, EventErrors)."""
    errors = EventErrors()
    if len(raw) > max_bytes:
        errors.add("__all__", ERROR_TOO_LARGE, limit=max_bytes)
        return None, errors
    try:
        event = msgspec.json.decode(raw, type=Event)
    except msgspec.ValidationError:
        return None, _field_errors(raw)
    except msgspec.DecodeError as exc:
        errors.add("__all__", ERROR_INVALID, detail=str(exc))
        return None, errors
    # The device reference is checked by ingestion: it must name a registered device of the
    # source's organisation (an asset tag may look like an old plate), or it is refused and not stored.
    reason = personal_data_error(event.zone)
    if reason:
        errors.add("zone", reason)
    if event.occurred_at > now + datetime.timedelta(seconds=skew_seconds):
        errors.add("occurred_at", ERROR_FUTURE, seconds=skew_seconds)
    elif event.occurred_at < now - datetime.timedelta(days=retention_days):
        errors.add("occurred_at", ERROR_TOO_OLD, days=retention_days)
    if event.kind == EventKind.CROWD_DENSITY:
        if event.value is None:
            errors.add("value", ERROR_VALUE_REQUIRED)
        elif event.value < 0:
            errors.add("value", ERROR_VALUE_NEGATIVE)
    return (None, errors) if errors else (event, None)


def _field_errors(raw: bytes) -> EventErrors:
    """Every reason an event that msgspec refused is wrong, field by field."""
    errors = EventErrors()
    data = msgspec.json.decode(raw)
    if not isinstance(data, dict):
        errors.add("__all__", ERROR_NOT_OBJECT)
        return errors
    for name, value in data.items():
        if name not in FIELD_TYPES:
            errors.add(str(name)[:TEXT_LIMIT], ERROR_FIELD_NOT_ALLOWED)
            continue
        expected, message = FIELD_TYPES[name]
        try:
            msgspec.convert(value, type=expected)
        except msgspec.ValidationError:
            errors.add(name, message)
            continue
        if isinstance(value, str) and name == "zone":
            reason = personal_data_error(value)
            if reason:
                errors.add(name, reason)
    for name in REQUIRED_FIELDS:
        if name not in data:
            errors.add(name, ERROR_REQUIRED)
    return errors


def event_json_schema() -> dict:
    """The event's JSON Schema as msgspec derives it (for the OpenAPI document)."""
    return msgspec.json.schema(Event)
