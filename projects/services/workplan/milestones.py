"""Milestones MS<n>: planned with their work packages, and the date they were achieved."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import snapshot
from portal.models import User
from projects.models import (
    LateJustification,
    Milestone,
    Project,
    WorkPackage,
)
from projects.services.common import (
    audit,
    check_months,
    require_work_plan,
    validated,
)
from projects.services.workplan.common import (
    MILESTONE_FIELDS,
    _all_of_project,
    _editable,
    _lock,
    _next,
    _save_unique,
    period_codes,
    refuse_dependents,
)

MILESTONE_EDITABLE = frozenset({"title", "due_month", "work_packages", "means_of_verification"})


def _milestone_snapshot(milestone: Milestone) -> dict:
    return {
        **snapshot(milestone, MILESTONE_FIELDS),
        "work_packages": [wp.code for wp in milestone.work_packages.order_by("number")],
    }


# --- Milestones -----------------------------------------------------------------------------------
def milestone_create(
    *,
    actor: User | None,
    project: Project,
    title: str,
    due_month: int,
    work_packages: list[WorkPackage] = (),
    means_of_verification: str = "",
    number: int | None = None,
) -> Milestone:
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        _all_of_project(project, "work_packages", work_packages)
        check_months(project, start=due_month, fields=("due_month", "due_month"))
        number = number or _next(Milestone, project=project)
        milestone = Milestone(
            project=project,
            number=number,
            title=title,
            due_month=due_month,
            means_of_verification=means_of_verification,
        )
        validated(milestone, exclude=["project"])
        _save_unique(milestone, code=milestone.code)
        milestone.work_packages.set(work_packages)
        audit(
            action="projects.milestone.created",
            actor=actor,
            target=milestone,
            project=project,
            after={
                **snapshot(milestone, MILESTONE_FIELDS),
                "work_packages": [wp.code for wp in work_packages],
            },
        )
    return milestone


def milestone_achieve(*, actor: User | None, milestone: Milestone, achieved_on) -> Milestone:
    """Record the date a milestone was achieved (None clears it)."""
    project = milestone.project
    require_work_plan(actor, project)
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before = {"achieved_on": locked.achieved_on}
        locked.achieved_on = achieved_on
        locked.save(update_fields=["achieved_on"])
        audit(
            action="projects.milestone.achieved",
            actor=actor,
            target=locked,
            project=project,
            before=before,
            after={"achieved_on": achieved_on},
        )
    return locked


def milestone_update(*, actor: User | None, milestone: Milestone, **changes) -> Milestone:
    """Title, due month (within the project), work packages and means of verification; the date it was
    achieved changes through milestone_achieve."""
    project = milestone.project
    require_work_plan(actor, project)
    _editable(changes, MILESTONE_EDITABLE)
    with transaction.atomic():
        project = _lock(project)
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before = _milestone_snapshot(locked)
        work_packages = changes.pop("work_packages", None)
        _all_of_project(project, "work_packages", work_packages)
        for name, value in changes.items():
            setattr(locked, name, value)
        check_months(project, start=locked.due_month, fields=("due_month", "due_month"))
        validated(locked, exclude=["project"])
        locked.save()
        if work_packages is not None:
            locked.work_packages.set(work_packages)
        audit(
            action="projects.milestone.updated",
            actor=actor,
            target=locked,
            project=project,
            before=before,
            after=_milestone_snapshot(locked),
        )
    return locked


def milestone_delete(*, actor: User | None, milestone: Milestone) -> None:
    """Delete a milestone, unless a periodic report justifies it as late (then it is named)."""
    project = milestone.project
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        justified = LateJustification.objects.filter(milestone=locked).select_related("report__period")
        refuse_dependents(
            locked.code,
            [_("the late justification in %(periods)s") % {"periods": period_codes(justified)}]
            if justified
            else [],
        )
        audit(
            action="projects.milestone.deleted",
            actor=actor,
            target=locked,
            project=project,
            before=_milestone_snapshot(locked),
        )
        locked.delete()
