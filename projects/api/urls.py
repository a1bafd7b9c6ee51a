from rest_framework.routers import SimpleRouter

from projects.api.views import (
    DeliverableViewSet,
    ExpenditureLineViewSet,
    FundingProgrammeViewSet,
    PeriodicReportViewSet,
    ProjectViewSet,
)

router = SimpleRouter()
router.register("eu-programmes", FundingProgrammeViewSet, basename="eu-programme")
router.register("projects", ProjectViewSet, basename="project")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("expenditure-lines", ExpenditureLineViewSet, basename="expenditure-line")
router.register("periodic-reports", PeriodicReportViewSet, basename="periodic-report")

urlpatterns: list = [*router.urls]
