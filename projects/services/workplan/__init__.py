"""The work plan: work packages, tasks, planned effort, deliverables and milestones. Written by the
coordinator's project manager; every month is checked against the project (and the work package),
every code is unique per project, and each write is audited in its transaction."""

from projects.services.workplan.common import (
    DELIVERABLE_FIELDS,
    ERROR_CODE_TAKEN,
    ERROR_DUE_FIXED,
    ERROR_WP_TOO_SHORT,
    MILESTONE_FIELDS,
    TASK_FIELDS,
    WP_FIELDS,
)
from projects.services.workplan.deliverables import (
    deliverable_create,
    deliverable_delete,
    deliverable_update,
)
from projects.services.workplan.milestones import (
    milestone_achieve,
    milestone_create,
    milestone_delete,
    milestone_update,
)
from projects.services.workplan.packages import (
    planned_effort_set,
    task_create,
    task_delete,
    task_update,
    work_package_create,
    work_package_delete,
    work_package_update,
)

__all__ = [
    "DELIVERABLE_FIELDS",
    "ERROR_CODE_TAKEN",
    "ERROR_DUE_FIXED",
    "ERROR_WP_TOO_SHORT",
    "MILESTONE_FIELDS",
    "TASK_FIELDS",
    "WP_FIELDS",
    "deliverable_create",
    "deliverable_delete",
    "deliverable_update",
    "milestone_achieve",
    "milestone_create",
    "milestone_delete",
    "milestone_update",
    "planned_effort_set",
    "task_create",
    "task_delete",
    "task_update",
    "work_package_create",
    "work_package_delete",
    "work_package_update",
]
