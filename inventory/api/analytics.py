"""Analytics ingestion: `POST /api/v1/analytics/events/`, authenticated by a source's API key.

The hot path skips DRF's parsers and serializers: the body's bytes go to msgspec (inventory.events)
and the answer is encoded by msgspec too. The OpenAPI schema describes the event with the JSON
Schema msgspec derives from the same definition, so the document cannot drift from the validator.
"""

import msgspec
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.views import APIView

from inventory import conf
from inventory.events import event_json_schema
from inventory.models import AnalyticsSource
from inventory.services.ingest import BatchError, events_ingest, parse_batch
from inventory.services.sources import source_authenticate, source_rate_check
from portal.middleware import client_ip

ERROR_KEY = _("Invalid, expired or revoked API key, or an address the source may not post from.")
ERROR_BODY_TOO_LARGE = _("The body is larger than %(limit)s bytes.")
ERROR_RATE = _("Too many batches from this source: try again in %(seconds)s seconds.")


class SourceKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer snt_…` (or `X-API-Key: snt_…`): the key of an analytics source."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        key = (
            header[7:].strip() if header[:7].lower() == "bearer " else request.META.get("HTTP_X_API_KEY", "")
        )
        if not key:
            return None
        source = source_authenticate(key=key, ip_address=client_ip(request))
        if source is None:
            raise AuthenticationFailed(ERROR_KEY)
        return AnonymousUser(), source

    def authenticate_header(self, request):
        return 'Bearer realm="analytics"'


class SourceKeyScheme(OpenApiAuthenticationExtension):
    target_class = "inventory.api.analytics.SourceKeyAuthentication"
    name = "analyticsSourceKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An analytics source's API key (snt_…)."}


class IsSource(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, AnalyticsSource)


def _openapi(schema: dict, defs: dict) -> dict:
    """msgspec's JSON Schema as OpenAPI 3.0 wants it: references inlined, `null` as `nullable`."""
    if isinstance(schema, list):
        return [_openapi(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _openapi(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    out = {k: _openapi(v, defs) for k, v in schema.items() if k not in ("$defs", "title")}
    options = out.pop("anyOf", None)
    if options is not None:
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            out.update(kept[0])
        else:
            out["anyOf"] = kept
        if len(kept) < len(options):
            out["nullable"] = True
    return out


_schema = event_json_schema()
EVENT_SCHEMA = _openapi(_schema, _schema.get("$defs", {}))
BATCH_SCHEMA = {"type": "array", "items": EVENT_SCHEMA, "minItems": 1, "maxItems": 1000}
RESULT_SCHEMA = {
    "type": "object",
    "properties": {
        "accepted": {"type": "integer"},
        "duplicate": {"type": "integer"},
        "rejected": {"type": "integer"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {
                        "type": "integer",
                        "description": "Position of the event in the batch, from 0.",
                    },
                    "event_id": {"type": "string", "format": "uuid"},
                    "status": {"type": "string", "enum": ["accepted", "duplicate", "rejected"]},
                    "errors": {
                        "type": "object",
                        "description": "Rejected: the reasons, by field ({field: [message]}).",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "required": ["index", "status"],
            },
        },
    },
    "required": ["accepted", "duplicate", "rejected", "results"],
}
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}}


def _json(data: dict, status: int, **headers) -> HttpResponse:
    response = HttpResponse(msgspec.json.encode(data), status=status, content_type="application/json")
    for name, value in headers.items():
        response[name] = value
    return response


class AnalyticsEventsView(APIView):
    authentication_classes = [SourceKeyAuthentication]
    permission_classes = [IsSource]
    parser_classes: list = []

    @extend_schema(
        operation_id="analytics_events_create",
        tags=["analytics"],
        summary="Post a batch of analytics events (JSON array or NDJSON, up to 1,000 events)",
        description=(
            "One result per event, in order: accepted, duplicate (same event_id already stored for "
            "this source) or rejected with the reason of each refused field. Only deployed devices of "
            "the source's organisation. Events carry metadata only: any other field, a blob, a licence "
            "plate, a codice fiscale or a person's identifier is refused. Raw events are kept for the "
            "retention period (ANALYTICS_RETENTION_DAYS, 90 days by default), daily figures indefinitely."
        ),
        request={"application/json": BATCH_SCHEMA, "application/x-ndjson": EVENT_SCHEMA},
        responses={
            200: OpenApiResponse(RESULT_SCHEMA, description="The batch was read; see each event's result."),
            400: OpenApiResponse(DETAIL, description="Malformed body or empty batch: nothing was stored."),
            401: OpenApiResponse(DETAIL, description="Missing, invalid, expired or revoked key."),
            413: OpenApiResponse(
                DETAIL, description="Too many events or too many bytes: nothing was stored."
            ),
            429: OpenApiResponse(DETAIL, description="Rate limit of the source; see Retry-After."),
        },
    )
    def post(self, request, *args, **kwargs):
        source = request.auth
        limit = conf.get("ANALYTICS_BATCH_MAX_BYTES")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return _json({"detail": str(ERROR_BODY_TOO_LARGE) % {"limit": limit}}, 413)
        wait = source_rate_check(source=source)
        if wait is not None:
            return _json({"detail": str(ERROR_RATE) % {"seconds": wait}}, 429, **{"Retry-After": str(wait)})
        body = request._request.body
        if len(body) > limit:
            return _json({"detail": str(ERROR_BODY_TOO_LARGE) % {"limit": limit}}, 413)
        ndjson = "ndjson" in (request.content_type or "") or "jsonl" in (request.content_type or "")
        try:
            raws = parse_batch(body, ndjson=ndjson)
        except BatchError as exc:
            return _json({"detail": exc.message}, exc.status)
        outcome = events_ingest(source=source, raws=raws)
        return _json({**outcome.counts, "results": outcome.results}, 200)
