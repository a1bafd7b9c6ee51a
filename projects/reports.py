"""The projects' reports, autodiscovered by reporting.registry: the deliverables register, the budget
status by partner, cost category and period, and the periodic report summary in the EU's order
(deliverables, milestones, work packages, costs, effort). Rows come from the selectors, so each user
reports on the projects they may read; PDF, XLSX and CSV come from reporting's renderers."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.constants import ZERO
from portal.permissions import EXPORT_PROJECTS
from projects.filtersets import DeliverableFilterSet
from projects.models import CostCategory, Deliverable, ReportingPeriod
from projects.selectors import budget_status, deliverable_list, effort_status, project_list
from reporting.registry import Column, ColumnType, Report, ReportForm, filter_queryset, register


# --- Deliverables register ------------------------------------------------------------------------
def _deliverables(user, params):
    return filter_queryset(DeliverableFilterSet, deliverable_list(user=user), params)


def deliverable_rows(*, user, params):
    today = timezone.localdate()
    yes, no = gettext("yes"), gettext("no")
    for d in _deliverables(user, params).iterator(chunk_size=500):
        yield (
            d.project.acronym,
            d.code,
            d.title,
            d.work_package.code,
            d.lead.short_name,
            d.type.code,
            d.dissemination.code,
            d.due_date,
            d.get_status_display(),
            yes if d.is_overdue(today) else no,
            d.submitted_on,
            d.accepted_on,
        )


DELIVERABLES = register(
    Report(
        key="projects.deliverables",
        title=_("EU projects: deliverables register"),
        description=_("Every deliverable of the projects you may read, with its due date, status and dates."),
        capability=EXPORT_PROJECTS,
        filterset_class=DeliverableFilterSet,
        columns=(
            Column("project", _("Project"), width=14),
            Column("code", _("Code"), width=7),
            Column("title", _("Title"), width=40),
            Column("work_package", _("WP"), width=6),
            Column("lead", _("Lead"), width=8),
            Column("type", _("Type"), width=8),
            Column("dissemination", _("Dissemination"), width=10),
            Column("due_date", _("Due"), ColumnType.DATE),
            Column("status", _("Status"), width=14),
            Column("overdue", _("Overdue"), width=8),
            Column("submitted_on", _("Delivered on"), ColumnType.DATE),
            Column("accepted_on", _("Approved on"), ColumnType.DATE),
        ),
        rows=deliverable_rows,
        count=lambda *, user, params: _deliverables(user, params).count(),
        dense=True,
    )
)


# --- Budget status by partner, category and period -------------------------------------------------
class ProjectReportForm(ReportForm):
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, empty_label=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["project"].queryset = project_list(user=user).order_by("acronym")


def budget_rows(*, user, params):
    project = project_list(user=user).get(pk=params["project"].pk)
    categories = {c.pk: c for c in CostCategory.objects.filter(programme=project.programme)}
    for period in project.periods.order_by("number"):
        for row in budget_status(project=project, period=period):
            for category_id in sorted(
                set(row.planned) | set(row.actual), key=lambda pk: categories[pk].order
            ):
                planned = row.planned.get(category_id, ZERO)
                actual = row.actual.get(category_id, ZERO)
                category = categories[category_id]
                yield (
                    period.code,
                    row.partner.short_name,
                    category.code,
                    category.name,
                    planned,
                    actual,
                    planned - actual,
                )


def budget_count(*, user, params) -> int:
    return sum(1 for _row in budget_rows(user=user, params=params))


BUDGET = register(
    Report(
        key="projects.budget_status",
        title=_("EU project: budget status by partner, cost category and period"),
        description=_(
            "Planned and actual costs with the variance, per reporting period, partner and cost category."
        ),
        capability=EXPORT_PROJECTS,
        form_class=ProjectReportForm,
        columns=(
            Column("period", _("Period"), width=6),
            Column("partner", _("Partner"), width=8),
            Column("category", _("Category"), width=6),
            Column("category_name", _("Cost category"), width=34),
            Column("planned", _("Planned"), ColumnType.MONEY, total=True),
            Column("actual", _("Actual"), ColumnType.MONEY, total=True),
            Column("variance", _("Variance"), ColumnType.MONEY, total=True),
        ),
        rows=budget_rows,
        count=budget_count,
    )
)


# --- Periodic report summary, in the EU's order ----------------------------------------------------
class PeriodReportForm(ProjectReportForm):
    period = forms.IntegerField(label=_("Reporting period (number)"), min_value=1, initial=1)

    def clean(self):
        cleaned = super().clean()
        project, number = cleaned.get("project"), cleaned.get("period")
        if (
            project is not None
            and number
            and not ReportingPeriod.objects.filter(project=project, number=number).exists()
        ):
            self.add_error("period", _("The project has no reporting period with this number."))
        return cleaned


def periodic_rows(*, user, params):
    from projects.services.periods import late_items

    project = project_list(user=user).get(pk=params["project"].pk)
    period = ReportingPeriod.objects.select_related("report").get(project=project, number=params["period"])
    report = period.report
    justifications = {i.code: i.justification for i in late_items(report)}
    section = gettext("1. Deliverables")
    for d in (
        Deliverable.objects.filter(
            project=project, due_date__gte=period.start_date, due_date__lte=period.end_date
        )
        .select_related("work_package")
        .order_by("work_package__number", "number")
    ):
        yield (
            section,
            d.code,
            d.title,
            d.due_date,
            d.submitted_on,
            d.get_status_display(),
            None,
            None,
            justifications.get(d.code, ""),
        )
    section = gettext("2. Milestones")
    for m in project.milestones.filter(
        due_month__gte=period.start_month, due_month__lte=period.end_month
    ).order_by("number"):
        status = gettext("Achieved") if m.achieved_on else gettext("Not achieved yet")
        yield (
            section,
            m.code,
            m.title,
            m.due_date,
            m.achieved_on,
            status,
            None,
            None,
            justifications.get(m.code, ""),
        )
    section = gettext("3. Work packages")
    progress = {p.work_package_id: p for p in report.progress.all()}
    for wp in project.work_packages.filter(
        start_month__lte=period.end_month, end_month__gte=period.start_month
    ).order_by("number"):
        p = progress.get(wp.pk)
        yield (
            section,
            wp.code,
            wp.title,
            None,
            None,
            p.get_achievement_display() if p else "",
            None,
            None,
            p.text if p else "",
        )
    section = gettext("4. Costs (€)")
    for row in budget_status(project=project, period=period):
        yield (
            section,
            row.partner.short_name,
            row.partner.organisation.name,
            None,
            None,
            "",
            row.planned_total,
            row.actual_total,
            "",
        )
    section = gettext("5. Effort (person-months: planned for the whole project, actual in the period)")
    efforts = effort_status(project=project)
    partners = {p.pk: p for p in project.partners.all()}
    in_period = {(e.work_package_id, e.partner_id): e.person_months for e in report.actual_efforts.all()}
    for (wp_id, partner_id), (planned, _actual) in sorted(efforts.items()):
        actual = in_period.get((wp_id, partner_id))
        if actual is None and not planned:
            continue
        wp = project.work_packages.get(pk=wp_id)
        yield (
            section,
            f"{wp.code} {partners[partner_id].short_name}",
            wp.title,
            None,
            None,
            "",
            planned,
            actual,
            "",
        )


PERIODIC = register(
    Report(
        key="projects.periodic_report",
        title=_("EU project: periodic report summary"),
        description=_(
            "The periodic report of a period in the EU's order: deliverables, milestones, work packages, "
            "costs and effort, with the late items' justifications."
        ),
        capability=EXPORT_PROJECTS,
        form_class=PeriodReportForm,
        columns=(
            Column("section", _("Section"), width=14, group=True),
            Column("code", _("Code"), ColumnType.CODE, width=10),
            Column("item", _("Item"), width=40),
            Column("due", _("Due"), ColumnType.DATE),
            Column("done", _("Delivered or achieved"), ColumnType.DATE),
            Column("status", _("Status"), width=12),
            Column("planned", _("Planned"), ColumnType.DECIMAL, places=2),
            Column("actual", _("Actual"), ColumnType.DECIMAL, places=2),
            Column("note", _("Progress or justification"), width=36),
        ),
        rows=periodic_rows,
        count=lambda *, user, params: sum(1 for _r in periodic_rows(user=user, params=params)),
    )
)
