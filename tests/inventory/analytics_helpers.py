"""Shared by the analytics tests: a deployed camera with a source of its owner, and events."""

import datetime
import json
import uuid

from django.utils import timezone

from inventory.choices import AssignmentKind, DeviceKind
from inventory.services.deployment import Target, device_deploy
from inventory.services.sources import source_create
from tests.inventory.factories import make_site, municipality, register

URL = "/api/v1/analytics/events/"


def deployed_camera(owner=None, *, tag="TO-CCTV-0001", serial=None):
    owner = owner or municipality()
    device = register(owner=owner, kind=DeviceKind.CCTV, serial=serial or f"CAM-{tag}", asset_tag=tag)
    site = make_site(owner, name=f"Sito {tag}")
    device_deploy(actor=None, device=device, target=Target(kind=AssignmentKind.SITE, site=site))
    device.refresh_from_db()
    return device


def make_source(owner, name="Centrale operativa", **kwargs):
    return source_create(actor=None, owner=owner, name=name, **kwargs)


def event(device="TO-CCTV-0001", *, kind="line_crossing", minutes_ago=5, **extra):
    data = {
        "event_id": str(uuid.uuid4()),
        "device": device,
        "occurred_at": (timezone.now() - datetime.timedelta(minutes=minutes_ago)).isoformat(),
        "kind": kind,
        "severity": "low",
        "zone": "Varco nord",
        "confidence": 0.9,
    }
    data.update(extra)
    return data


def post(client, key, events, *, content_type="application/json", **headers):
    body = events if isinstance(events, bytes | str) else json.dumps(events)
    return client.post(URL, body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {key}", **headers)
