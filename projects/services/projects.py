"""Projects, partners and reporting periods: created and changed through these services only, each
checked, locked, written and audited in one transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from portal.audit import snapshot
from portal.choices import Role
from portal.constants import ZERO
from portal.formatting import format_money
from portal.models import Organisation, User
from portal.permissions import MANAGE_PROJECTS, organisation_ids_with_role, require
from projects.choices import PartnerRole, ProjectStatus
from projects.models import (
    BudgetLine,
    Deliverable,
    FundingProgramme,
    Milestone,
    Partner,
    PeriodicReport,
    Project,
    ReportingPeriod,
    WorkPackage,
)
from projects.services.common import (
    audit,
    check_months,
    clean_decimal,
    require_work_plan,
    validated,
)

ERROR_NOT_YOUR_ORGANISATION = _("You can create projects only for an organisation you manage projects for.")
ERROR_DURATION_CUTS = _(
    "The project cannot end before month %(month)s: %(items)s are planned up to that month."
)
ERROR_TOTAL_VS_BUDGET = _(
    "The partners' budgets add up to %(budget)s: the total eligible cost must stay equal to it, or the "
    "budget must change first (difference %(difference)s)."
)

PROJECT_FIELDS = (
    "acronym",
    "title",
    "programme",
    "grant_agreement_number",
    "call_topic",
    "start_date",
    "duration_months",
    "status",
    "total_eligible_cost",
    "eu_contribution",
    "funding_rate",
    "description",
    "website",
)
EDITABLE_FIELDS = tuple(f for f in PROJECT_FIELDS if f != "programme")


def _money(values: dict, *names: str) -> dict:
    for name in names:
        if name in values:
            values[name] = clean_decimal(values[name], field=name)
    return values


def project_create(
    *,
    actor: User | None,
    acronym: str,
    title: str,
    programme: FundingProgramme,
    start_date: datetime.date,
    duration_months: int,
    organisation: Organisation,
    role: str = PartnerRole.COORDINATOR,
    short_name: str = "",
    **fields,
) -> Project:
    """A new project with `organisation` as its partner number 1. An EU project manager creates
    projects only for the organisations they manage projects for."""
    if actor is not None:
        require(actor, MANAGE_PROJECTS)
        if organisation.pk not in organisation_ids_with_role(actor, Role.EU_PROJECT_MANAGER):
            raise PermissionDenied(ERROR_NOT_YOUR_ORGANISATION)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    _money(fields, "total_eligible_cost", "eu_contribution")
    project = Project(
        acronym=(acronym or "").strip(),
        title=title,
        programme=programme,
        start_date=start_date,
        duration_months=duration_months,
        **fields,
    )
    validated(project)
    with transaction.atomic():
        project.save()
        partner = Partner(
            project=project,
            organisation=organisation,
            number=1,
            short_name=(short_name or organisation.name)[:20],
            role=role,
        )
        validated(partner)
        partner.save()
        audit(
            action="projects.project.created",
            actor=actor,
            target=project,
            organisation=organisation,
            after={**snapshot(project, PROJECT_FIELDS), "partner": snapshot(partner, PARTNER_FIELDS)},
        )
    return project


def _planned_until(project: Project) -> tuple[int, list[str]]:
    """The last month used by the work plan or the periods, and what uses it."""
    uses = [
        (WorkPackage.objects.filter(project=project).aggregate(m=Max("end_month"))["m"], _("work packages")),
        (Deliverable.objects.filter(project=project).aggregate(m=Max("due_month"))["m"], _("deliverables")),
        (Milestone.objects.filter(project=project).aggregate(m=Max("due_month"))["m"], _("milestones")),
        (ReportingPeriod.objects.filter(project=project).aggregate(m=Max("end_month"))["m"], _("periods")),
    ]
    last = max((m or 0) for m, _label in uses)
    return last, [str(label) for m, label in uses if m == last and m]


def budget_total(project: Project) -> Decimal:
    return BudgetLine.objects.filter(partner__project=project).aggregate(t=Sum("amount"))["t"] or ZERO


def project_update(*, actor: User | None, project: Project, **changes) -> Project:
    """Change the project's data (the coordinator's project manager). A shorter duration may not cut
    off planned work; the total eligible cost stays equal to the partners' budgets once there are any."""
    require_work_plan(actor, project)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _money(changes, "total_eligible_cost", "eu_contribution")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        before = snapshot(locked, EDITABLE_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, value)
        validated(locked)
        last, items = _planned_until(locked)
        if last > locked.duration_months:
            raise ValidationError(
                {
                    "duration_months": ValidationError(
                        ERROR_DURATION_CUTS,
                        code="cuts_plan",
                        params={"month": last, "items": ", ".join(items)},
                    )
                }
            )
        planned = budget_total(locked)
        if (
            BudgetLine.objects.filter(partner__project=locked).exists()
            and planned != locked.total_eligible_cost
        ):
            raise ValidationError(
                {
                    "total_eligible_cost": ValidationError(
                        ERROR_TOTAL_VS_BUDGET,
                        code="budget_mismatch",
                        params={
                            "budget": format_money(planned),
                            "difference": format_money(locked.total_eligible_cost - planned),
                        },
                    )
                }
            )
        locked.save()
        after = snapshot(locked, EDITABLE_FIELDS)
        audit(
            action="projects.project.updated",
            actor=actor,
            target=locked,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return locked


def period_create(
    *, actor: User | None, project: Project, start_month: int, end_month: int, number: int | None = None
) -> ReportingPeriod:
    """A reporting period RP<n> within the project, overlapping no other; its report starts as a draft."""
    require_work_plan(actor, project)
    check_months(project, start=start_month, end=end_month)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        check_overlap(locked, start_month=start_month, end_month=end_month)
        if number is None:
            number = (ReportingPeriod.objects.filter(project=locked).aggregate(m=Max("number"))["m"] or 0) + 1
        period = ReportingPeriod(project=locked, number=number, start_month=start_month, end_month=end_month)
        validated(period)
        try:
            period.save()
        except IntegrityError as exc:  # a concurrent creation took the number
            raise ValidationError(
                {"number": _("The project already has a reporting period with this number.")}
            ) from exc
        PeriodicReport.objects.create(period=period)
        audit(
            action="projects.period.created",
            actor=actor,
            target=period,
            project=locked,
            after={"number": number, "start_month": start_month, "end_month": end_month},
        )
    return period


from projects.services.partners import (  # noqa: E402  (the consortium's services, re-exported)
    ERROR_COORDINATOR_TAKEN,
    ERROR_FOREIGN_PARTNER,
    ERROR_PARTNER_IN_USE,
    PARTNER_FIELDS,
    partner_add,
    partner_add_foreign_body,
    partner_remove,
    partner_update,
)
from projects.services.periods.plan import (  # noqa: E402  (the periods' own services, re-exported)
    ERROR_PERIOD_OVERLAP,
    check_overlap,
    period_delete,
    period_update,
)

__all__ = [
    "ERROR_COORDINATOR_TAKEN",
    "ERROR_FOREIGN_PARTNER",
    "ERROR_PARTNER_IN_USE",
    "ERROR_PERIOD_OVERLAP",
    "PARTNER_FIELDS",
    "ProjectStatus",
    "check_overlap",
    "partner_add",
    "partner_add_foreign_body",
    "partner_remove",
    "partner_update",
    "period_delete",
    "period_update",
]
