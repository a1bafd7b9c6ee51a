from projects.models.periods import (
    ActualEffort,
    ExpenditureLine,
    LateJustification,
    PeriodicReport,
    WorkPackageProgress,
)
from projects.models.programme import CostCategory, DeliverableType, DisseminationLevel, FundingProgramme
from projects.models.project import BudgetLine, Partner, Project, ReportingPeriod
from projects.models.reminders import CalendarFeed, Reminder
from projects.models.workplan import (
    Deliverable,
    DeliverableEvent,
    DeliverableFile,
    Milestone,
    PlannedEffort,
    Task,
    WorkPackage,
)

__all__ = [
    "ActualEffort",
    "BudgetLine",
    "CalendarFeed",
    "CostCategory",
    "Deliverable",
    "DeliverableEvent",
    "DeliverableFile",
    "DeliverableType",
    "DisseminationLevel",
    "ExpenditureLine",
    "FundingProgramme",
    "LateJustification",
    "Milestone",
    "Partner",
    "PeriodicReport",
    "PlannedEffort",
    "Project",
    "Reminder",
    "ReportingPeriod",
    "Task",
    "WorkPackage",
    "WorkPackageProgress",
]
