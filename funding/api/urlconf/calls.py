"""API routes of the calls (included by funding/api/urls.py under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from funding.api.applications.views import ApplicationViewSet, DocumentViewSet
from funding.api.calls.views import CallViewSet

router = SimpleRouter()
router.register("calls", CallViewSet, basename="call")
router.register("applications", ApplicationViewSet, basename="application")
router.register("documents", DocumentViewSet, basename="document")

urlpatterns: list = [*router.urls]
