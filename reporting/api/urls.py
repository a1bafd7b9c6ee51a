from rest_framework.routers import SimpleRouter

from reporting.api.views import AuditEventViewSet, ExportJobViewSet, ReportViewSet

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("reports", ReportViewSet, basename="report")
router.register("exports", ExportJobViewSet, basename="export")

urlpatterns = router.urls
