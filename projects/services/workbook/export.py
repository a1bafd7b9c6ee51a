"""The work plan written as a workbook: the empty template, or any project the user may read."""

import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied

from portal.models import User
from projects.models import (
    Project,
)
from projects.services.common import access
from projects.services.workbook.common import PROJECT_FIELDS, SHEETS


# --- Export ---------------------------------------------------------------------------------------
def _rows(project: Project | None) -> dict[str, list[list]]:
    if project is None:
        return {name: [] for name in SHEETS}
    rows = {"Project": [[f, _project_value(project, f)] for f in PROJECT_FIELDS]}
    partners = list(project.partners.select_related("organisation").order_by("number"))
    rows["Partners"] = [
        [
            p.number,
            p.short_name,
            p.organisation.name,
            p.organisation.country.code,
            p.organisation.pic,
            p.organisation.tax_code,
            p.role,
        ]
        for p in partners
    ]
    rows["Periods"] = [[p.number, p.start_month, p.end_month] for p in project.periods.order_by("number")]
    from projects.models import BudgetLine, Deliverable, Milestone, PlannedEffort, Task

    rows["Budget"] = [
        [b.partner.short_name, b.category.code, b.period.number, b.amount]
        for b in BudgetLine.objects.filter(partner__project=project)
        .select_related("partner", "category", "period")
        .order_by("partner__number", "period__number", "category__order")
    ]
    wps = list(project.work_packages.select_related("lead").order_by("number"))
    rows["WorkPackages"] = [
        [w.number, w.title, w.lead.short_name, w.start_month, w.end_month, w.objectives] for w in wps
    ]
    rows["Tasks"] = [
        [
            t.work_package.number,
            t.number,
            t.title,
            t.leader.short_name,
            ", ".join(p.short_name for p in t.participants.order_by("number")),
            t.start_month,
            t.end_month,
        ]
        for t in Task.objects.filter(work_package__project=project)
        .select_related("work_package", "leader")
        .order_by("work_package__number", "number")
    ]
    rows["Effort"] = [
        [e.work_package.number, e.partner.short_name, e.person_months]
        for e in PlannedEffort.objects.filter(work_package__project=project)
        .select_related("work_package", "partner")
        .order_by("work_package__number", "partner__number")
    ]
    rows["Deliverables"] = [
        [
            d.work_package.number,
            d.number,
            d.title,
            d.lead.short_name,
            d.type.code,
            d.dissemination.code,
            d.due_month,
            d.description,
        ]
        for d in Deliverable.objects.filter(project=project)
        .select_related("work_package", "lead", "type", "dissemination")
        .order_by("work_package__number", "number")
    ]
    rows["Milestones"] = [
        [
            m.number,
            m.title,
            ", ".join(str(w.number) for w in m.work_packages.order_by("number")),
            m.due_month,
            m.means_of_verification,
        ]
        for m in Milestone.objects.filter(project=project).order_by("number")
    ]
    return rows


def _project_value(project, field):
    if field == "programme":
        return project.programme.code
    return getattr(project, field)


def workbook_export(*, user: User, project: Project | None = None) -> bytes:
    """The workbook of `project`, or the empty template (None)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if project is not None and not access(user, project).reads:
        raise PermissionDenied
    book = Workbook()
    book.remove(book.active)
    data = _rows(project)
    for name, header in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        rows = data[name] if project is not None or name != "Project" else [[f, ""] for f in PROJECT_FIELDS]
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for column, title in zip(sheet.columns, header, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = max(12, min(50, len(title) + 6))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
