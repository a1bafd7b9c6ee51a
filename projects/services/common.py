"""What the project services share: who may act on a project, month checks, amounts, audit."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.audit import AuditEntry, audit_record_many
from portal.constants import MONEY_DECIMAL_PLACES, ZERO
from portal.models import User
from portal.permissions import ProjectAccess, project_access
from projects.choices import PartnerRole
from projects.models import Partner, Project

ERROR_MONTH_OUTSIDE_PROJECT = _(
    "Month %(month)s is outside the project, which runs from month 1 to %(last)s."
)
ERROR_MONTH_OUTSIDE_WP = _("Month %(month)s is outside %(wp)s, which runs from month %(start)s to %(end)s.")
ERROR_MONTHS_ORDER = _("The end month (%(end)s) comes before the start month (%(start)s).")
ERROR_NOT_OF_PROJECT = _("This does not belong to the project.")
ERROR_NOT_OF_PROGRAMME = _("This code is not in the list of the project's programme (%(programme)s).")
ERROR_AMOUNT = _("Enter an amount in euros with at most two decimals, zero or more.")
ERROR_PERSON_MONTHS = _("Enter person-months as a number with at most two decimals, zero or more.")
ERROR_CODE_TAKEN = _("%(code)s already exists in this project.")


def access(user: User | None, project: Project) -> ProjectAccess:
    """What `user` may do on `project`; None is the system (seed, commands, jobs): everything."""
    if user is None:
        return ProjectAccess(reads=True, member=True, edits_work_plan=True, accepts=True)
    partners = Partner.objects.filter(project_id=project.pk).values_list("pk", "organisation_id", "role")
    return project_access(
        user, partners=[(p, org, role == PartnerRole.COORDINATOR) for p, org, role in partners]
    )


def require_work_plan(actor: User | None, project: Project) -> None:
    if not access(actor, project).edits_work_plan:
        raise PermissionDenied


def require_partner(actor: User | None, project: Project, partner: Partner) -> None:
    if not access(actor, project).edits_partner(partner.pk):
        raise PermissionDenied


def check_months(
    project: Project, *, start: int | None = None, end: int | None = None, fields=("start_month", "end_month")
):
    """Months within the project (1..duration) and in order; errors on the fields that are wrong."""
    errors = {}
    for name, month in zip(fields, (start, end), strict=True):
        if month is not None and not 1 <= month <= project.duration_months:
            errors[name] = ValidationError(
                ERROR_MONTH_OUTSIDE_PROJECT,
                code="month_outside_project",
                params={"month": month, "last": project.duration_months},
            )
    if not errors and start is not None and end is not None and end < start:
        errors[fields[1]] = ValidationError(
            ERROR_MONTHS_ORDER, code="months_order", params={"start": start, "end": end}
        )
    if errors:
        raise ValidationError(errors)


def check_within_wp(work_package, *, months: dict[str, int]) -> None:
    errors = {}
    for name, month in months.items():
        if month is not None and not work_package.start_month <= month <= work_package.end_month:
            errors[name] = ValidationError(
                ERROR_MONTH_OUTSIDE_WP,
                code="month_outside_wp",
                params={
                    "month": month,
                    "wp": work_package.code,
                    "start": work_package.start_month,
                    "end": work_package.end_month,
                },
            )
    if errors:
        raise ValidationError(errors)


def clean_decimal(value, *, field: str, message=ERROR_AMOUNT, places: int = MONEY_DECIMAL_PLACES) -> Decimal:
    """A non-negative Decimal with at most `places` decimals (never a float)."""
    if isinstance(value, float | bool) or value is None:
        raise ValidationError({field: ValidationError(message, code="invalid")})
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: ValidationError(message, code="invalid")}) from exc
    quantum = Decimal(1).scaleb(-places)
    if not number.is_finite() or number < 0 or number != number.quantize(quantum):
        raise ValidationError({field: ValidationError(message, code="invalid")})
    if number.adjusted() >= 12:
        raise ValidationError({field: ValidationError(message, code="invalid")})
    return number.quantize(quantum)


def clean_person_months(value, *, field: str = "person_months") -> Decimal:
    return clean_decimal(value, field=field, message=ERROR_PERSON_MONTHS)


def audit(
    *,
    action: str,
    actor: User | None,
    target,
    project: Project | None = None,
    before=None,
    after=None,
    organisation=None,
):
    """One audit event in the caller's transaction; the project's acronym travels with it."""
    extra = {"project": project.acronym} if project is not None else {}
    return audit_record_many(
        [
            AuditEntry(
                action=action,
                actor=actor,
                organisation=organisation,
                target=target,
                before=before,
                after={**(after or {}), **extra},
            )
        ]
    )[0]


def validated(instance, *, exclude=()) -> None:
    """Fields of one model (and its unique/check constraints) with the model's own messages."""
    instance.full_clean(exclude=list(exclude))


__all__ = ["ZERO"]
