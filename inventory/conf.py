"""Tunables of the inventory, each overridable by a Django setting of the same name (portal/settings.py
reads the first three from the environment)."""

from django.conf import settings

DEFAULTS = {
    # Map tiles: a URL template for Leaflet ({z}/{x}/{y}); empty shows the sites without a base map.
    "INVENTORY_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "INVENTORY_TILE_ATTRIBUTION": "© OpenStreetMap contributors",
    # The sites' GeoJSON is public open data only where the Region decides so.
    "INVENTORY_OPEN_DATA_SITES": False,
    # A deployed device not heard from for this long is "silent" (analytics output).
    "INVENTORY_SILENT_AFTER_HOURS": 48,
    # Analytics events: raw events are deleted after this many days (the daily figures stay).
    "ANALYTICS_RETENTION_DAYS": 90,
    # How far ahead of the server's clock an event may be dated (the sources' clocks drift).
    "ANALYTICS_CLOCK_SKEW_SECONDS": 300,
    "ANALYTICS_BATCH_MAX_EVENTS": 1000,
    "ANALYTICS_EVENT_MAX_BYTES": 1024,
    "ANALYTICS_BATCH_MAX_BYTES": 1024 * 1024,
    # Batches a source may post per minute (0: no limit); beyond it, 429 with Retry-After.
    "ANALYTICS_BATCHES_PER_MINUTE": 600,
    # How long a process remembers a key's record (rotations and revocations forget it at once).
    "ANALYTICS_KEY_CACHE_SECONDS": 60,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
