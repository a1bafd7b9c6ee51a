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
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
