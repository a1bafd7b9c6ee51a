"""Work packages, their tasks and the partners' planned effort: months within the project and the work
package, codes unique per project."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import snapshot
from portal.models import User
from projects.models import (
    ActualEffort,
    Partner,
    PlannedEffort,
    Project,
    Task,
    WorkPackage,
    WorkPackageProgress,
)
from projects.services.common import (
    audit,
    check_months,
    check_within_wp,
    clean_person_months,
    require_work_plan,
    validated,
)
from projects.services.workplan.common import (
    ERROR_CODE_TAKEN,
    ERROR_WP_TOO_SHORT,
    TASK_FIELDS,
    WP_FIELDS,
    _all_of_project,
    _editable,
    _lock,
    _next,
    _of_project,
    _save_unique,
    codes,
    period_codes,
    refuse_dependents,
)


# --- Work packages --------------------------------------------------------------------------------
def work_package_create(
    *,
    actor: User | None,
    project: Project,
    title: str,
    lead: Partner,
    start_month: int,
    end_month: int,
    objectives: str = "",
    number: int | None = None,
) -> WorkPackage:
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        _of_project(project, lead=lead)
        check_months(project, start=start_month, end=end_month)
        number = number or _next(WorkPackage, project=project)
        wp = WorkPackage(
            project=project,
            number=number,
            title=title,
            lead=lead,
            start_month=start_month,
            end_month=end_month,
            objectives=objectives,
        )
        validated(wp, exclude=["project", "lead"])
        if WorkPackage.objects.filter(project=project, number=number).exists():
            raise ValidationError(
                {"number": ValidationError(ERROR_CODE_TAKEN, params={"code": f"WP{number}"})}
            )
        _save_unique(wp, code=wp.code)
        audit(
            action="projects.wp.created",
            actor=actor,
            target=wp,
            project=project,
            after=snapshot(wp, WP_FIELDS),
        )
    return wp


def _wp_contents_end(wp: WorkPackage) -> tuple[int, int, str]:
    """Earliest start and latest end of what the work package holds, and what holds it."""
    items = [(t.start_month, t.end_month, t.code) for t in wp.tasks.all()]
    items += [(d.due_month, d.due_month, d.code) for d in wp.deliverables.all()]
    if not items:
        return 0, 0, ""
    first = min(items, key=lambda i: i[0])
    last = max(items, key=lambda i: i[1])
    return first[0], last[1], f"{first[2]}|{last[2]}"


def work_package_update(*, actor: User | None, work_package: WorkPackage, **changes) -> WorkPackage:
    project = work_package.project
    require_work_plan(actor, project)
    _editable(changes, {"title", "lead", "start_month", "end_month", "objectives"})
    with transaction.atomic():
        project = _lock(project)
        wp = WorkPackage.objects.select_for_update().get(pk=work_package.pk)
        before = snapshot(wp, WP_FIELDS)
        for name, value in changes.items():
            setattr(wp, name, value)
        _of_project(project, lead=wp.lead)
        check_months(project, start=wp.start_month, end=wp.end_month)
        first, last, codes = _wp_contents_end(wp)
        if first and first < wp.start_month:
            raise ValidationError(
                {
                    "start_month": ValidationError(
                        ERROR_WP_TOO_SHORT,
                        params={"wp": wp.code, "month": first, "item": codes.split("|")[0]},
                    )
                }
            )
        if last and last > wp.end_month:
            raise ValidationError(
                {
                    "end_month": ValidationError(
                        ERROR_WP_TOO_SHORT, params={"wp": wp.code, "month": last, "item": codes.split("|")[1]}
                    )
                }
            )
        validated(wp, exclude=["project", "lead"])
        wp.save()
        audit(
            action="projects.wp.updated",
            actor=actor,
            target=wp,
            project=project,
            before=before,
            after=snapshot(wp, WP_FIELDS),
        )
    return wp


def work_package_delete(*, actor: User | None, work_package: WorkPackage) -> None:
    """Delete a work package that nothing depends on; else refused, naming its tasks, deliverables and
    milestones, the reports that declare effort or progress on it and the partners that plan effort."""
    project = work_package.project
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        wp = WorkPackage.objects.select_for_update().get(pk=work_package.pk)
        dependents = codes(wp.tasks.all()) + codes(wp.deliverables.all()) + codes(wp.milestones.all())
        actual = ActualEffort.objects.filter(work_package=wp).select_related("report__period")
        if actual:
            dependents.append(
                _("the actual effort declared in %(periods)s") % {"periods": period_codes(actual)}
            )
        progress = WorkPackageProgress.objects.filter(work_package=wp).select_related("report__period")
        if progress:
            dependents.append(_("the progress reported in %(periods)s") % {"periods": period_codes(progress)})
        planned = sorted(
            wp.planned_efforts.exclude(person_months=0).values_list("partner__short_name", flat=True)
        )
        if planned:
            dependents.append(
                _("the person-months planned by %(partners)s") % {"partners": ", ".join(planned)}
            )
        refuse_dependents(wp.code, dependents)
        audit(
            action="projects.wp.deleted",
            actor=actor,
            target=wp,
            project=project,
            before=snapshot(wp, WP_FIELDS),
        )
        wp.planned_efforts.all().delete()
        wp.delete()


# --- Tasks ----------------------------------------------------------------------------------------
def task_create(
    *,
    actor: User | None,
    work_package: WorkPackage,
    title: str,
    leader: Partner,
    start_month: int,
    end_month: int,
    participants: list[Partner] = (),
    number: int | None = None,
) -> Task:
    project = work_package.project
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        _of_project(project, leader=leader)
        _all_of_project(project, "participants", participants)
        check_months(project, start=start_month, end=end_month)
        check_within_wp(work_package, months={"start_month": start_month, "end_month": end_month})
        number = number or _next(Task, work_package=work_package)
        task = Task(
            work_package=work_package,
            number=number,
            title=title,
            leader=leader,
            start_month=start_month,
            end_month=end_month,
        )
        validated(task, exclude=["work_package", "leader"])
        _save_unique(task, code=task.code)
        task.participants.set(participants)
        audit(
            action="projects.task.created",
            actor=actor,
            target=task,
            project=project,
            after={**snapshot(task, TASK_FIELDS), "participants": sorted(p.pk for p in participants)},
        )
    return task


TASK_EDITABLE = frozenset({"title", "leader", "participants", "start_month", "end_month"})


def _task_snapshot(task: Task) -> dict:
    return {**snapshot(task, TASK_FIELDS), "participants": sorted(p.pk for p in task.participants.all())}


def task_update(*, actor: User | None, task: Task, **changes) -> Task:
    """Title, leader, participants and months (within the project and the task's work package)."""
    project = task.work_package.project
    require_work_plan(actor, project)
    _editable(changes, TASK_EDITABLE)
    with transaction.atomic():
        project = _lock(project)
        locked = Task.objects.select_for_update().select_related("work_package").get(pk=task.pk)
        before = _task_snapshot(locked)
        participants = changes.pop("participants", None)
        for name, value in changes.items():
            setattr(locked, name, value)
        _of_project(project, leader=locked.leader)
        _all_of_project(project, "participants", participants)
        check_months(project, start=locked.start_month, end=locked.end_month)
        check_within_wp(
            locked.work_package, months={"start_month": locked.start_month, "end_month": locked.end_month}
        )
        validated(locked, exclude=["work_package", "leader"])
        locked.save()
        if participants is not None:
            locked.participants.set(participants)
        audit(
            action="projects.task.updated",
            actor=actor,
            target=locked,
            project=project,
            before=before,
            after=_task_snapshot(locked),
        )
    return locked


def task_delete(*, actor: User | None, task: Task) -> None:
    """Delete a task: nothing else in the work plan refers to a task."""
    project = task.work_package.project
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        locked = Task.objects.select_for_update().select_related("work_package").get(pk=task.pk)
        audit(
            action="projects.task.deleted",
            actor=actor,
            target=locked,
            project=project,
            before=_task_snapshot(locked),
        )
        locked.delete()


# --- Planned effort -------------------------------------------------------------------------------
def planned_effort_set(
    *, actor: User | None, work_package: WorkPackage, partner: Partner, person_months
) -> PlannedEffort:
    project = work_package.project
    require_work_plan(actor, project)
    _of_project(project, partner=partner)
    value = clean_person_months(person_months)
    with transaction.atomic():
        _lock(project)
        effort, created = PlannedEffort.objects.select_for_update().get_or_create(
            work_package=work_package, partner=partner, defaults={"person_months": value}
        )
        before = None if created else {"person_months": str(effort.person_months)}
        if not created:
            effort.person_months = value
            effort.save(update_fields=["person_months"])
        audit(
            action="projects.effort.planned",
            actor=actor,
            target=effort,
            project=project,
            before=before,
            after={
                "work_package": work_package.code,
                "partner": partner.short_name,
                "person_months": str(value),
            },
        )
    return effort
