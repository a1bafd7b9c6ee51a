from rest_framework.routers import SimpleRouter

from projects.api.views import (
    DeliverableViewSet,
    ExpenditureLineViewSet,
    FundingProgrammeViewSet,
    MilestoneViewSet,
    PartnerViewSet,
    PeriodicReportViewSet,
    ProjectViewSet,
    ReportingPeriodViewSet,
    TaskViewSet,
    WorkPackageViewSet,
)

router = SimpleRouter()
router.register("eu-programmes", FundingProgrammeViewSet, basename="eu-programme")
router.register("projects", ProjectViewSet, basename="project")
router.register("project-partners", PartnerViewSet, basename="project-partner")
router.register("work-packages", WorkPackageViewSet, basename="work-package")
router.register("tasks", TaskViewSet, basename="project-task")
router.register("reporting-periods", ReportingPeriodViewSet, basename="reporting-period")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("expenditure-lines", ExpenditureLineViewSet, basename="expenditure-line")
router.register("periodic-reports", PeriodicReportViewSet, basename="periodic-report")

urlpatterns: list = [*router.urls]
