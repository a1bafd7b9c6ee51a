"""Reads of the projects app, always scoped to the user: the Region's readers (officials, auditors,
administrators) see every project; members of a partner organisation see their projects; anyone
else sees the public page only. Figures come from aggregate queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from portal.constants import ZERO
from portal.permissions import READ_ALL, ProjectAccess, can, organisation_ids_with_role
from projects.choices import OPEN_DELIVERABLE_STATUSES, CostKind, DeliverableStatus, ReportStatus, Visibility
from projects.models import (
    ActualEffort,
    BudgetLine,
    Deliverable,
    DeliverableEvent,
    DeliverableFile,
    ExpenditureLine,
    Milestone,
    Partner,
    PeriodicReport,
    PlannedEffort,
    Project,
    ReportingPeriod,
    WorkPackage,
)
from projects.services.common import access


def project_list(*, user) -> QuerySet[Project]:
    qs = Project.objects.select_related("programme")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if can(user, READ_ALL):
        return qs
    orgs = organisation_ids_with_role(user)
    return qs.filter(Exists(Partner.objects.filter(project=OuterRef("pk"), organisation_id__in=orgs)))


def public_project_list() -> QuerySet[Project]:
    """Every project has a public page: its data, partners and accepted public deliverables."""
    return Project.objects.select_related("programme")


def project_access_for(*, user, project: Project) -> ProjectAccess:
    return access(user if getattr(user, "is_authenticated", False) else _Anonymous(), project)


class _Anonymous:
    is_authenticated = False


def partner_list(*, project: Project) -> QuerySet[Partner]:
    return project.partners.select_related("organisation").order_by("number")


def deliverable_list(*, user, project: Project | None = None) -> QuerySet[Deliverable]:
    qs = Deliverable.objects.select_related(
        "project", "work_package", "lead", "lead__organisation", "type", "dissemination", "reviewer"
    ).order_by("project__acronym", "work_package__number", "number")
    qs = qs.filter(project__in=project_list(user=user))
    if project is not None:
        qs = qs.filter(project=project)
    return qs


def deliverable_table(deliverables: QuerySet[Deliverable]) -> QuerySet[Deliverable]:
    """deliverable_list narrowed to what the deliverable register shows of each row: not the lead's
    organisation, the reviewer's user row, the project's and work package's descriptions."""
    return (
        deliverables.select_related(None)
        .select_related("project", "work_package", "lead", "type", "dissemination")
        .only(
            "number",
            "title",
            "due_date",
            "status",
            "project__acronym",
            "work_package__number",
            "lead__short_name",
            "type__code",
            "dissemination__code",
        )
    )


def public_deliverables(*, project: Project) -> QuerySet[Deliverable]:
    """Public (PU-like) deliverables that were accepted: what the public page shows."""
    return (
        Deliverable.objects.filter(
            project=project, status=DeliverableStatus.ACCEPTED, dissemination__visibility=Visibility.PUBLIC
        )
        .select_related("work_package", "type", "dissemination", "lead")
        .prefetch_related(Prefetch("files", queryset=DeliverableFile.objects.filter(is_current=True)))
        .order_by("work_package__number", "number")
    )


def file_visible(*, user, deliverable: Deliverable) -> bool:
    """Dissemination decides who sees a file: public ones by anyone once accepted, the others by the
    consortium, officials and auditors; an EU-classified deliverable has no file at all."""
    visibility = deliverable.dissemination.visibility
    if visibility == Visibility.CLASSIFIED:
        return False
    if visibility == Visibility.PUBLIC and deliverable.status == DeliverableStatus.ACCEPTED:
        return True
    return project_access_for(user=user, project=deliverable.project).reads


def deliverable_timeline(*, deliverable: Deliverable) -> QuerySet[DeliverableEvent]:
    return deliverable.events.select_related("actor").order_by("at", "pk")


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(status__in=OPEN_DELIVERABLE_STATUSES, due_date__lt=today or timezone.localdate())


def work_packages(*, project: Project) -> QuerySet[WorkPackage]:
    return (
        project.work_packages.select_related("lead")
        .prefetch_related("tasks__leader", "tasks__participants")
        .order_by("number")
    )


def milestones(*, project: Project) -> QuerySet[Milestone]:
    return project.milestones.prefetch_related("work_packages").order_by("number")


# --- Due and late, for the home page and the reminders ----------------------------------------------
@dataclass
class DueItem:
    kind: str  # "deliverable" or "report"
    project: Project
    code: str
    title: str
    due_date: datetime.date
    status_label: str
    url: str
    late: bool = False

    @property
    def days(self) -> int:
        return (self.due_date - timezone.localdate()).days

    @property
    def late_days(self) -> int:
        return -self.days


def due_items(*, user, days: int = 30, today: datetime.date | None = None) -> list[DueItem]:
    """Deliverables and periodic reports of the user's projects due in the next `days` days or late."""
    from django.urls import reverse

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    projects = project_list(user=user).exclude(status="closed")
    items = []
    for d in Deliverable.objects.filter(
        project__in=projects, status__in=OPEN_DELIVERABLE_STATUSES, due_date__lte=horizon
    ).select_related("project", "work_package"):
        items.append(
            DueItem(
                "deliverable",
                d.project,
                d.code,
                d.title,
                d.due_date,
                str(DeliverableStatus(d.status).label),
                reverse("projects:deliverable_detail", args=[d.project.acronym, d.pk]),
                late=d.due_date < today,
            )
        )
    for report in PeriodicReport.objects.filter(
        period__project__in=projects, status__in=[ReportStatus.DRAFT, ReportStatus.LOCKED]
    ).select_related("period__project"):
        due = report.period.report_due_date
        if due <= horizon and report.period.end_date < today:
            items.append(
                DueItem(
                    "report",
                    report.period.project,
                    report.period.code,
                    "",
                    due,
                    str(ReportStatus(report.status).label),
                    reverse(
                        "projects:report_detail", args=[report.period.project.acronym, report.period.number]
                    ),
                    late=due < today,
                )
            )
    return sorted(items, key=lambda i: (not i.late, i.due_date, i.project.acronym, i.code))


# --- Budget and effort: planned vs actual -------------------------------------------------------------
@dataclass
class BudgetRow:
    partner: Partner
    planned: dict[int, Decimal] = field(default_factory=dict)  # category id -> amount
    actual: dict[int, Decimal] = field(default_factory=dict)

    @property
    def planned_total(self) -> Decimal:
        return sum(self.planned.values(), ZERO)

    @property
    def actual_total(self) -> Decimal:
        return sum(self.actual.values(), ZERO)


def budget_status(*, project: Project, period: ReportingPeriod | None = None) -> list[BudgetRow]:
    """Planned and spent per partner and cost category (in one period or over the whole project)."""
    planned = BudgetLine.objects.filter(partner__project=project)
    actual = ExpenditureLine.objects.filter(partner__project=project)
    if period is not None:
        planned = planned.filter(period=period)
        actual = actual.filter(report__period=period)
    rows = {p.pk: BudgetRow(p) for p in partner_list(project=project)}
    for partner_id, category_id, total in (
        planned.values_list("partner_id", "category_id")
        .annotate(t=Sum("amount"))
        .values_list("partner_id", "category_id", "t")
    ):
        rows[partner_id].planned[category_id] = total
    for partner_id, category_id, total in (
        actual.values_list("partner_id", "category_id")
        .annotate(t=Sum("amount"))
        .values_list("partner_id", "category_id", "t")
    ):
        rows[partner_id].actual[category_id] = total
    return list(rows.values())


def effort_status(*, project: Project) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """(work package id, partner id) -> (planned, actual) person-months."""
    result: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for wp, partner, pm in PlannedEffort.objects.filter(work_package__project=project).values_list(
        "work_package_id", "partner_id", "person_months"
    ):
        result[(wp, partner)][0] += pm
    for wp, partner, pm in (
        ActualEffort.objects.filter(work_package__project=project)
        .values_list("work_package_id", "partner_id")
        .annotate(t=Sum("person_months"))
        .values_list("work_package_id", "partner_id", "t")
    ):
        result[(wp, partner)][1] += pm
    return {k: (v[0], v[1]) for k, v in result.items()}


# --- For the inventory ------------------------------------------------------------------------------
def equipment_expenditure_lines(*, user) -> QuerySet[ExpenditureLine]:
    """Expenditure lines in an equipment cost category, of the projects the user may read: what the
    inventory links funded devices to."""
    return (
        ExpenditureLine.objects.filter(
            category__kind=CostKind.EQUIPMENT, report__period__project__in=project_list(user=user)
        )
        .select_related("partner__organisation", "category", "report__period__project")
        .order_by("report__period__project__acronym", "invoice_date", "pk")
    )


def reporting_periods(*, project: Project) -> QuerySet[ReportingPeriod]:
    return project.periods.select_related("report").order_by("number")


def budget_lines(*, project: Project) -> QuerySet[BudgetLine]:
    """The planned budget's cells of a project, partner by partner, category by category."""
    return BudgetLine.objects.filter(partner__project=project).order_by(
        "partner__number", "category__order", "period__number"
    )
