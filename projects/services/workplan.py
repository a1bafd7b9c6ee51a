"""The work plan: work packages, tasks, planned effort, deliverables and milestones. Written by the
coordinator's project manager; every month is checked against the project (and the work package),
every code is unique per project, and each write is audited in its transaction."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from portal.audit import snapshot
from portal.models import User
from projects.choices import DeliverableEventKind, DeliverableStatus
from projects.models import (
    Deliverable,
    DeliverableEvent,
    DeliverableType,
    DisseminationLevel,
    Milestone,
    Partner,
    PlannedEffort,
    Project,
    Task,
    WorkPackage,
)
from projects.services.common import (
    ERROR_NOT_OF_PROGRAMME,
    ERROR_NOT_OF_PROJECT,
    audit,
    check_months,
    check_within_wp,
    clean_person_months,
    require_work_plan,
    validated,
)

ERROR_CODE_TAKEN = _("%(code)s already exists in this project.")
ERROR_WP_TOO_SHORT = _("%(wp)s cannot end before month %(month)s: %(item)s is planned then.")
ERROR_DUE_FIXED = _(
    "The due month can change only while the deliverable is in preparation; then move the due date."
)

WP_FIELDS = ("number", "title", "lead", "start_month", "end_month", "objectives")
TASK_FIELDS = ("work_package", "number", "title", "leader", "start_month", "end_month")
DELIVERABLE_FIELDS = (
    "work_package",
    "number",
    "title",
    "lead",
    "type",
    "dissemination",
    "due_month",
    "due_date",
    "status",
    "description",
)
MILESTONE_FIELDS = ("number", "title", "due_month", "means_of_verification", "achieved_on")


def _of_project(project: Project, **objects) -> None:
    errors = {}
    for name, obj in objects.items():
        if obj is not None and getattr(obj, "project_id", None) != project.pk:
            errors[name] = ERROR_NOT_OF_PROJECT
    if errors:
        raise ValidationError(errors)


def _of_programme(project: Project, **entries) -> None:
    errors = {}
    for name, entry in entries.items():
        if entry is not None and entry.programme_id != project.programme_id:
            errors[name] = ValidationError(
                ERROR_NOT_OF_PROGRAMME, params={"programme": project.programme.name}
            )
    if errors:
        raise ValidationError(errors)


def _next(model, **scope) -> int:
    return (model.objects.filter(**scope).aggregate(m=Max("number"))["m"] or 0) + 1


def _save_unique(instance, *, code: str) -> None:
    """Save; a code taken meanwhile (unique constraint) becomes the field error a user reads."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"number": ValidationError(ERROR_CODE_TAKEN, code="code_taken", params={"code": code})}
        ) from exc


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("programme").get(pk=project.pk)


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
    unknown = set(changes) - {"title", "lead", "start_month", "end_month", "objectives"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
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
        for partner in participants:
            _of_project(project, participants=partner)
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


# --- Deliverables ---------------------------------------------------------------------------------
def deliverable_create(
    *,
    actor: User | None,
    work_package: WorkPackage,
    title: str,
    lead: Partner,
    type: DeliverableType,
    dissemination: DisseminationLevel,
    due_month: int,
    description: str = "",
    number: int | None = None,
) -> Deliverable:
    """D<wp>.<n>, due at the end of its due month, which lies within the project and its work package."""
    project = work_package.project
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        _of_project(project, lead=lead, work_package=work_package)
        _of_programme(project, type=type, dissemination=dissemination)
        check_months(project, start=due_month, fields=("due_month", "due_month"))
        check_within_wp(work_package, months={"due_month": due_month})
        number = number or _next(Deliverable, work_package=work_package)
        deliverable = Deliverable(
            project=project,
            work_package=work_package,
            number=number,
            title=title,
            lead=lead,
            type=type,
            dissemination=dissemination,
            due_month=due_month,
            due_date=project.month_end(due_month),
            description=description,
        )
        validated(
            deliverable, exclude=["project", "work_package", "lead", "type", "dissemination", "reviewer"]
        )
        _save_unique(deliverable, code=deliverable.code)
        DeliverableEvent.objects.create(
            deliverable=deliverable,
            actor=actor,
            kind=DeliverableEventKind.CREATED,
            to_status=deliverable.status,
        )
        audit(
            action="projects.deliverable.created",
            actor=actor,
            target=deliverable,
            project=project,
            after=snapshot(deliverable, DELIVERABLE_FIELDS),
        )
    return deliverable


def deliverable_update(*, actor: User | None, deliverable: Deliverable, **changes) -> Deliverable:
    """Title, description, lead, type and dissemination; the due month only while in preparation
    (later the due date moves by deliverable_move_due, with a reason)."""
    project = deliverable.project
    require_work_plan(actor, project)
    unknown = set(changes) - {"title", "description", "lead", "type", "dissemination", "due_month"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        project = _lock(project)
        locked = Deliverable.objects.select_for_update().select_related("work_package").get(pk=deliverable.pk)
        before = snapshot(locked, DELIVERABLE_FIELDS)
        if "due_month" in changes and changes["due_month"] != locked.due_month:
            if locked.status != DeliverableStatus.PREPARATION:
                raise ValidationError({"due_month": ValidationError(ERROR_DUE_FIXED, code="due_fixed")})
            check_months(project, start=changes["due_month"], fields=("due_month", "due_month"))
            check_within_wp(locked.work_package, months={"due_month": changes["due_month"]})
            locked.due_date = project.month_end(changes["due_month"])
        for name, value in changes.items():
            setattr(locked, name, value)
        _of_project(project, lead=locked.lead)
        _of_programme(project, type=locked.type, dissemination=locked.dissemination)
        validated(locked, exclude=["project", "work_package", "lead", "type", "dissemination", "reviewer"])
        locked.save()
        audit(
            action="projects.deliverable.updated",
            actor=actor,
            target=locked,
            project=project,
            before=before,
            after=snapshot(locked, DELIVERABLE_FIELDS),
        )
    return locked


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
        for wp in work_packages:
            _of_project(project, work_packages=wp)
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


__all__ = ["Decimal"]
