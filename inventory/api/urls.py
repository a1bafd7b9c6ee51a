"""Inventory API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from inventory.api.analytics import AnalyticsEventsView
from inventory.api.sources import SourceViewSet
from inventory.api.views import (
    AssignmentViewSet,
    DeviceModelViewSet,
    DeviceViewSet,
    FundedVsDeployedView,
    SitesGeoJSONView,
    SiteViewSet,
)

router = SimpleRouter()
router.register("device-models", DeviceModelViewSet, basename="device-model")
router.register("devices", DeviceViewSet, basename="device")
router.register("sites", SiteViewSet, basename="site")
router.register("deployments", AssignmentViewSet, basename="deployment")
router.register("analytics/sources", SourceViewSet, basename="analytics-source")

urlpatterns: list = [
    path("analytics/events/", AnalyticsEventsView.as_view(), name="analytics-events"),
    path("sites.geojson", SitesGeoJSONView.as_view(), name="sites-geojson"),
    path("inventory/funded-vs-deployed/", FundedVsDeployedView.as_view(), name="funded-vs-deployed"),
    *router.urls,
]
