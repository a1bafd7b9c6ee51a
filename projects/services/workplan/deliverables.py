"""Deliverables D<wp>.<n> as planned: created with their type and dissemination level from the programme's
lists and a due month within the work package; changed while the due month may still move."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit import snapshot
from portal.models import User
from projects.choices import DeliverableEventKind, DeliverableStatus
from projects.models import (
    Deliverable,
    DeliverableEvent,
    DeliverableType,
    DisseminationLevel,
    LateJustification,
    Partner,
    WorkPackage,
)
from projects.services.common import (
    audit,
    check_months,
    check_within_wp,
    require_work_plan,
    validated,
)
from projects.services.workplan.common import (
    DELIVERABLE_FIELDS,
    ERROR_DUE_FIXED,
    _editable,
    _lock,
    _next,
    _of_programme,
    _of_project,
    _save_unique,
    period_codes,
    refuse_dependents,
)

DELETABLE_STATUSES = (
    DeliverableStatus.PREPARATION,
    DeliverableStatus.INTERNAL_REVIEW,
    DeliverableStatus.PENDING,
)
ERROR_DELIVERABLE_PAST_PENDING = gettext_lazy(
    "%(code)s is “%(status)s”: only a deliverable in preparation, in internal review or pending can be "
    "deleted."
)
ERROR_DELIVERABLE_DELIVERED = gettext_lazy(
    "%(code)s already had a file or was submitted to the EU: back in pending, it still cannot be deleted."
)


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
    _editable(changes, {"title", "description", "lead", "type", "dissemination", "due_month"})
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


def _allow_timeline_delete(deliverable: Deliverable) -> None:
    """The timeline is append-only (a PostgreSQL trigger): this transaction, and only for this
    deliverable, may delete its lines along with it; the AuditEvent keeps what it was."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('projects.deleting_deliverable', %s, true)", [str(deliverable.pk)]
            )


def deliverable_delete(*, actor: User | None, deliverable: Deliverable) -> None:
    """Delete a deliverable that never went past pending and was never submitted; refused, naming the
    status, the submission or the late justification that keeps it."""
    project = deliverable.project
    require_work_plan(actor, project)
    with transaction.atomic():
        project = _lock(project)
        locked = Deliverable.objects.select_for_update().select_related("work_package").get(pk=deliverable.pk)
        if locked.status not in DELETABLE_STATUSES:
            raise ValidationError(
                ERROR_DELIVERABLE_PAST_PENDING,
                code="past_pending",
                params={"code": locked.code, "status": DeliverableStatus(locked.status).label},
            )
        if locked.submitted_on is not None or locked.files.exists():
            raise ValidationError(
                ERROR_DELIVERABLE_DELIVERED,
                code="delivered",
                params={"code": locked.code},
            )
        justified = LateJustification.objects.filter(deliverable=locked).select_related("report__period")
        refuse_dependents(
            locked.code,
            [_("the late justification in %(periods)s") % {"periods": period_codes(justified)}]
            if justified
            else [],
        )
        audit(
            action="projects.deliverable.deleted",
            actor=actor,
            target=locked,
            project=project,
            before={
                **snapshot(locked, DELIVERABLE_FIELDS),
                "timeline": list(locked.events.values_list("kind", flat=True)),
            },
        )
        _allow_timeline_delete(locked)
        locked.delete()
