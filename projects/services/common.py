"""What the project services share: who may act on a project, month checks, amounts, audit."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.audit import AuditEntry, audit_record_many
from portal.choices import Role
from portal.constants import MONEY_DECIMAL_PLACES, ZERO
from portal.models import Membership, User
from portal.permissions import ProjectAccess, organisation_ids_with_role, project_access
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


def _organisations_with_managers(organisation_ids) -> set[int]:
    return set(
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids),
            role=Role.EU_PROJECT_MANAGER,
            is_active=True,
            user__is_active=True,
        ).values_list("organisation_id", flat=True)
    )


def work_plan_keeper(partners: list[tuple[int, int, str, int]], *, manager_orgs=frozenset()) -> int | None:
    """The partner whose project manager keeps the work plan, among (id, organisation, role, number):
    the coordinator's; while the coordinator has no EU project manager in the portal (a foreign body,
    or no coordinator recorded yet), partner 1's, the partner that recorded the project. `manager_orgs`
    (the user's own) spares a query when the user manages the coordinator."""
    coordinator = next((p for p in partners if p[2] == PartnerRole.COORDINATOR), None)
    if coordinator is not None and coordinator[1] in manager_orgs:
        return coordinator[0]
    first = next((p for p in partners if p[3] == 1), None)
    candidates = [p for p in (coordinator, first) if p is not None]
    with_managers = _organisations_with_managers({p[1] for p in candidates})
    for partner in candidates:
        if partner[1] in with_managers:
            return partner[0]
    return None


def access(user: User | None, project: Project) -> ProjectAccess:
    """What `user` may do on `project`; None is the system (seed, commands, jobs): everything."""
    if user is None:
        return ProjectAccess(reads=True, member=True, edits_work_plan=True, accepts=True)
    partners = list(
        Partner.objects.filter(project_id=project.pk).values_list("pk", "organisation_id", "role", "number")
    )
    manager_orgs = organisation_ids_with_role(user, Role.EU_PROJECT_MANAGER)
    keeper = None
    if any(org in manager_orgs for _p, org, _r, _n in partners):  # only then can the user keep it
        keeper = work_plan_keeper(partners, manager_orgs=manager_orgs)
    return project_access(user, partners=[(p, org, p == keeper) for p, org, _r, _n in partners])


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
