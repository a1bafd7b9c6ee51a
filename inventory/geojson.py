"""The sites as GeoJSON (RFC 7946: WGS 84, longitude first), for the map and as open data."""

from django.db.models import Count, Exists, OuterRef, Q

from inventory import conf
from inventory.models import Assignment, Site
from inventory.selectors import site_list
from portal.permissions import READ_INVENTORY, can


def _sites(user):
    if getattr(user, "is_authenticated", False) and can(user, READ_INVENTORY):
        return site_list(user=user)
    if not conf.get("INVENTORY_OPEN_DATA_SITES"):
        return Site.objects.none()
    # Open data: every site with a camera standing there now.
    return (
        Site.objects.select_related("comune", "owner")
        .annotate(deployed=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
        .filter(Exists(Assignment.objects.filter(site=OuterRef("pk"), ended_on__isnull=True)))
    )


def sites_feature_collection(*, user) -> dict:
    features = [
        {
            "type": "Feature",
            "id": site.pk,
            "geometry": {"type": "Point", "coordinates": [float(site.longitude), float(site.latitude)]},
            "properties": {
                "name": site.name,
                "address": site.address,
                "comune": site.comune.name,
                "istat_code": site.comune.istat_code,
                "owner": site.owner.name,
                "watches": site.watches,
                "devices": site.deployed,
            },
        }
        for site in _sites(user).order_by("comune__name", "name")
    ]
    return {"type": "FeatureCollection", "features": features}
