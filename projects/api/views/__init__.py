"""Projects API under /api/v1/. Reads go through projects.selectors (scoped to the user) and the
FilterSets of projects.filtersets; every write is one call to a service of projects.services, whose
ValidationError and PermissionDenied become 400 and 403 (portal.api.exceptions)."""

from projects.api.views.deliverables import DeliverableViewSet
from projects.api.views.projects import FundingProgrammeViewSet, PartnerViewSet, ProjectViewSet
from projects.api.views.reports import ExpenditureLineViewSet, PeriodicReportViewSet
from projects.api.views.workplan import (
    MilestoneViewSet,
    ReportingPeriodViewSet,
    TaskViewSet,
    WorkPackageViewSet,
)

__all__ = [
    "DeliverableViewSet",
    "ExpenditureLineViewSet",
    "FundingProgrammeViewSet",
    "MilestoneViewSet",
    "PartnerViewSet",
    "PeriodicReportViewSet",
    "ProjectViewSet",
    "ReportingPeriodViewSet",
    "TaskViewSet",
    "WorkPackageViewSet",
]
