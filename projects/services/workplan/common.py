"""What the work plan's services share: error messages, audited fields, checks that objects belong to the
project and codes to the programme's lists, the next number, the project's lock."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Project,
)
from projects.services.common import (
    ERROR_NOT_OF_PROGRAMME,
    ERROR_NOT_OF_PROJECT,
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


def _all_of_project(project: Project, name: str, objects) -> None:
    """Every object of a many-to-many choice (participants, work packages) belongs to the project."""
    for obj in objects or ():
        _of_project(project, **{name: obj})


def _editable(changes: dict, allowed) -> None:
    """An update names only the fields its service changes (a programming error otherwise)."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")


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


ERROR_DEPENDENTS = _("%(item)s cannot be deleted while these depend on it: %(dependents)s.")


def refuse_dependents(item: str, dependents: list[str]) -> None:
    """Refuse a deletion naming everything that depends on the item (codes, or what was declared)."""
    if dependents:
        raise ValidationError(
            ERROR_DEPENDENTS, code="in_use", params={"item": item, "dependents": ", ".join(dependents)}
        )


def codes(objects) -> list[str]:
    return [obj.code for obj in objects]


def period_codes(rows) -> str:
    """RP codes of rows that belong to a periodic report, in order, once each."""
    return ", ".join(sorted({row.report.period.code for row in rows}))
