"""The work plan as an XLSX workbook: a template to fill, an export of any project, and an import
into an empty project that is all or nothing, with every bad cell reported by sheet, row and column.
An export imported into an empty project gives the same project (tests/projects/test_workbook.py).

Sheets, each with its header on row 1: Project (field, value), Partners, Periods, Budget,
WorkPackages, Tasks, Effort, Deliverables, Milestones. Organisations must already exist in the portal
(found by PIC, then codice fiscale, then name); codes come from the programme's lists.
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation, User
from projects.models import (
    CostCategory,
    DeliverableType,
    DisseminationLevel,
    Project,
)
from projects.services.common import access

SHEETS = {
    "Project": ["field", "value"],
    "Partners": ["number", "short_name", "organisation", "country", "pic", "tax_code", "role"],
    "Periods": ["number", "start_month", "end_month"],
    "Budget": ["partner", "category", "period", "amount"],
    "WorkPackages": ["number", "title", "lead", "start_month", "end_month", "objectives"],
    "Tasks": ["work_package", "number", "title", "leader", "participants", "start_month", "end_month"],
    "Effort": ["work_package", "partner", "person_months"],
    "Deliverables": [
        "work_package",
        "number",
        "title",
        "lead",
        "type",
        "dissemination",
        "due_month",
        "description",
    ],
    "Milestones": ["number", "title", "work_packages", "due_month", "means_of_verification"],
}
PROJECT_FIELDS = [
    "acronym",
    "title",
    "programme",
    "grant_agreement_number",
    "call_topic",
    "start_date",
    "duration_months",
    "total_eligible_cost",
    "eu_contribution",
    "funding_rate",
    "description",
    "website",
]
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ERROR_NOT_EMPTY = _("The project already has a work plan, periods or a budget: import into an empty project.")
ERROR_NOT_XLSX = _("The file is not an XLSX workbook that can be read.")
ERROR_MISSING_SHEET = _("The sheet is missing.")
ERROR_HEADER = _("The header must be: %(header)s.")
ERROR_REQUIRED = _("A value is required.")
ERROR_NUMBER = _("Enter a whole number.")
ERROR_DECIMAL = _("Enter a number with at most two decimals.")
ERROR_DATE = _("Enter a date (YYYY-MM-DD).")
ERROR_UNKNOWN = _("“%(value)s” is not known here.")
ERROR_ORGANISATION = _("No organisation with this PIC, codice fiscale or name is registered in the portal.")
ERROR_PROGRAMME = _("The programme is the project's own (%(code)s): it cannot change by import.")


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("Sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class WorkbookError(ValidationError):
    def __init__(self, errors: list[CellError]):
        self.cell_errors = errors
        super().__init__({"file": [str(e) for e in errors]})


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


# --- Import ---------------------------------------------------------------------------------------
class _Reader:
    def __init__(self):
        self.errors: list[CellError] = []

    def error(self, sheet, row, column, message, **params):
        self.errors.append(CellError(sheet, row, column, str(message) % params if params else str(message)))

    def text(self, sheet, row, column, value, *, required=True) -> str:
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.error(sheet, row, column, ERROR_REQUIRED)
        return value

    def integer(self, sheet, row, column, value, *, required=True) -> int | None:
        if value in (None, ""):
            if required:
                self.error(sheet, row, column, ERROR_REQUIRED)
            return None
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value():
                raise InvalidOperation
            return int(number)
        except (InvalidOperation, ValueError):
            self.error(sheet, row, column, ERROR_NUMBER)
            return None

    def decimal(self, sheet, row, column, value) -> Decimal | None:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
            if not number.is_finite() or number != number.quantize(Decimal("0.01")):
                raise InvalidOperation
            return number.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            self.error(sheet, row, column, ERROR_DECIMAL)
            return None

    def date(self, sheet, row, column, value) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            self.error(sheet, row, column, ERROR_DATE)
            return None


def _load(data: bytes, reader: _Reader) -> dict[str, list[tuple[int, dict]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": ERROR_NOT_XLSX}) from exc
    sheets = {}
    for name, header in SHEETS.items():
        if name not in book.sheetnames:
            reader.error(name, 1, "A", ERROR_MISSING_SHEET)
            continue
        rows = list(book[name].iter_rows(values_only=True))
        found = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else [])][: len(header)]
        if found != header:
            reader.error(name, 1, "A", ERROR_HEADER, header=", ".join(header))
            continue
        sheets[name] = [
            (number, dict(zip(header, list(values) + [None] * len(header), strict=False)))
            for number, values in enumerate(rows[1:], start=2)
            if any(v not in (None, "") for v in values)
        ]
    book.close()
    return sheets


def _letter(sheet: str, column: str) -> str:
    from openpyxl.utils import get_column_letter

    header = SHEETS[sheet]
    return get_column_letter(header.index(column) + 1) if column in header else "A"


def _apply(reader: _Reader, sheet: str, row: int, fields: dict[str, str], call):
    """Run one service call in a savepoint; its field errors become cell errors of this row."""
    try:
        with transaction.atomic():
            return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                column = fields.get(field, fields.get("*", "A"))
                for message in errors:
                    reader.error(sheet, row, column, message)
        else:
            for message in exc.messages:
                reader.error(sheet, row, fields.get("*", "A"), message)
    return None


def workbook_import(*, actor: User | None, project: Project, data: bytes) -> Project:
    """Fill an empty project from a workbook, all or nothing (WorkbookError lists every bad cell)."""
    from projects.services import budget as budget_services
    from projects.services import projects as project_services
    from projects.services import workplan

    rights = access(actor, project)
    if not rights.edits_work_plan:
        raise PermissionDenied
    if project.work_packages.exists() or project.periods.exists() or project.deliverables.exists():
        raise ValidationError({"file": ERROR_NOT_EMPTY})
    reader = _Reader()
    sheets = _load(data, reader)
    if reader.errors:
        raise WorkbookError(reader.errors)
    L = _letter
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        # Project fields (not the acronym, which is the target's, nor the programme, which is fixed).
        changes = {}
        for row, values in sheets["Project"]:
            field, value = reader.text("Project", row, "A", values["field"]), values["value"]
            if field in ("acronym", "") or value in (None, ""):
                continue
            if field == "programme":
                if str(value).strip() != project.programme.code:
                    reader.error("Project", row, "B", ERROR_PROGRAMME, code=project.programme.code)
                continue
            if field not in PROJECT_FIELDS:
                reader.error("Project", row, "A", ERROR_UNKNOWN, value=field)
                continue
            if field == "start_date":
                value = reader.date("Project", row, "B", value)
            elif field == "duration_months":
                value = reader.integer("Project", row, "B", value)
            elif field in ("total_eligible_cost", "eu_contribution", "funding_rate"):
                value = reader.decimal("Project", row, "B", value)
            changes[field] = (row, value)
        if changes:
            rows = {f: r for f, (r, _v) in changes.items()}
            values = {f: v for f, (_r, v) in changes.items()}
            if None not in values.values():
                _apply(
                    reader,
                    "Project",
                    min(rows.values()),
                    {**{f: "B" for f in rows}, "*": "B"},
                    lambda: project_services.project_update(actor=actor, project=project, **values),
                )
                project.refresh_from_db()
        partners = {p.short_name: p for p in project.partners.all()}
        by_number = {p.number: p for p in partners.values()}
        for row, v in sheets["Partners"]:
            number = reader.integer("Partners", row, "A", v["number"])
            short = reader.text("Partners", row, "B", v["short_name"])
            org = _organisation(v)
            if org is None:
                reader.error("Partners", row, "C", ERROR_ORGANISATION)
                continue
            existing = by_number.get(number)
            if existing is not None and existing.organisation_id == org.pk:
                partners[short] = existing
                continue
            partner = _apply(
                reader,
                "Partners",
                row,
                {"organisation": "C", "role": "G", "number": "A", "short_name": "B", "*": "A"},
                lambda org=org, number=number, short=short, v=v: project_services.partner_add(
                    actor=actor,
                    project=project,
                    organisation=org,
                    role=str(v["role"] or "").strip(),
                    short_name=short,
                    number=number,
                ),
            )
            if partner is not None:
                partners[short] = partner
        periods = {}
        for row, v in sheets["Periods"]:
            number = reader.integer("Periods", row, "A", v["number"])
            start = reader.integer("Periods", row, "B", v["start_month"])
            end = reader.integer("Periods", row, "C", v["end_month"])
            if None in (number, start, end):
                continue
            period = _apply(
                reader,
                "Periods",
                row,
                {"start_month": "B", "end_month": "C", "number": "A"},
                lambda number=number, start=start, end=end: project_services.period_create(
                    actor=actor, project=project, start_month=start, end_month=end, number=number
                ),
            )
            if period is not None:
                periods[number] = period
        categories = {c.code: c for c in CostCategory.objects.filter(programme=project.programme)}
        entries = []
        for row, v in sheets["Budget"]:
            partner = _lookup(reader, "Budget", row, "A", partners, v["partner"])
            category = _lookup(reader, "Budget", row, "B", categories, v["category"])
            period = _lookup(
                reader, "Budget", row, "C", periods, reader.integer("Budget", row, "C", v["period"])
            )
            amount = reader.decimal("Budget", row, "D", v["amount"])
            if None not in (partner, category, period, amount):
                entries.append(budget_services.BudgetEntry(partner, category, period, amount))
        if entries:
            _apply(
                reader,
                "Budget",
                2,
                {"budget": "D", "*": "D"},
                lambda: budget_services.budget_set(actor=actor, project=project, entries=entries),
            )
        wps = {}
        for row, v in sheets["WorkPackages"]:
            number = reader.integer("WorkPackages", row, L("WorkPackages", "number"), v["number"])
            lead = _lookup(reader, "WorkPackages", row, "C", partners, v["lead"])
            start = reader.integer("WorkPackages", row, "D", v["start_month"])
            end = reader.integer("WorkPackages", row, "E", v["end_month"])
            title = reader.text("WorkPackages", row, "B", v["title"])
            if None in (number, lead, start, end) or not title:
                continue
            wp = _apply(
                reader,
                "WorkPackages",
                row,
                {"start_month": "D", "end_month": "E", "number": "A", "title": "B", "lead": "C"},
                lambda number=number, lead=lead, start=start, end=end, title=title, v=v: (
                    workplan.work_package_create(
                        actor=actor,
                        project=project,
                        title=title,
                        lead=lead,
                        start_month=start,
                        end_month=end,
                        objectives=str(v["objectives"] or ""),
                        number=number,
                    )
                ),
            )
            if wp is not None:
                wps[number] = wp
        for row, v in sheets["Tasks"]:
            wp = _lookup(reader, "Tasks", row, "A", wps, reader.integer("Tasks", row, "A", v["work_package"]))
            leader = _lookup(reader, "Tasks", row, "D", partners, v["leader"])
            names = [n.strip() for n in str(v["participants"] or "").split(",") if n.strip()]
            participants = [_lookup(reader, "Tasks", row, "E", partners, n) for n in names]
            start = reader.integer("Tasks", row, "F", v["start_month"])
            end = reader.integer("Tasks", row, "G", v["end_month"])
            number = reader.integer("Tasks", row, "B", v["number"])
            title = reader.text("Tasks", row, "C", v["title"])
            if None in (wp, leader, start, end, number) or None in participants or not title:
                continue
            _apply(
                reader,
                "Tasks",
                row,
                {"start_month": "F", "end_month": "G", "number": "B", "title": "C"},
                lambda wp=wp, leader=leader, participants=participants, start=start, end=end, number=number, title=title: (  # noqa: E501
                    workplan.task_create(
                        actor=actor,
                        work_package=wp,
                        title=title,
                        leader=leader,
                        start_month=start,
                        end_month=end,
                        participants=participants,
                        number=number,
                    )
                ),
            )
        for row, v in sheets["Effort"]:
            wp = _lookup(
                reader, "Effort", row, "A", wps, reader.integer("Effort", row, "A", v["work_package"])
            )
            partner = _lookup(reader, "Effort", row, "B", partners, v["partner"])
            value = reader.decimal("Effort", row, "C", v["person_months"])
            if None in (wp, partner, value):
                continue
            _apply(
                reader,
                "Effort",
                row,
                {"person_months": "C"},
                lambda wp=wp, partner=partner, value=value: workplan.planned_effort_set(
                    actor=actor, work_package=wp, partner=partner, person_months=value
                ),
            )
        types = {t.code: t for t in DeliverableType.objects.filter(programme=project.programme)}
        levels = {d.code: d for d in DisseminationLevel.objects.filter(programme=project.programme)}
        for row, v in sheets["Deliverables"]:
            wp = _lookup(
                reader,
                "Deliverables",
                row,
                "A",
                wps,
                reader.integer("Deliverables", row, "A", v["work_package"]),
            )
            number = reader.integer("Deliverables", row, "B", v["number"])
            title = reader.text("Deliverables", row, "C", v["title"])
            lead = _lookup(reader, "Deliverables", row, "D", partners, v["lead"])
            dtype = _lookup(reader, "Deliverables", row, "E", types, v["type"])
            level = _lookup(reader, "Deliverables", row, "F", levels, v["dissemination"])
            due = reader.integer("Deliverables", row, "G", v["due_month"])
            if None in (wp, number, lead, dtype, level, due) or not title:
                continue
            _apply(
                reader,
                "Deliverables",
                row,
                {"due_month": "G", "number": "B", "title": "C", "type": "E", "dissemination": "F"},
                lambda wp=wp, number=number, title=title, lead=lead, dtype=dtype, level=level, due=due, v=v: (
                    workplan.deliverable_create(
                        actor=actor,
                        work_package=wp,
                        title=title,
                        lead=lead,
                        type=dtype,
                        dissemination=level,
                        due_month=due,
                        description=str(v["description"] or ""),
                        number=number,
                    )
                ),
            )
        for row, v in sheets["Milestones"]:
            number = reader.integer("Milestones", row, "A", v["number"])
            title = reader.text("Milestones", row, "B", v["title"])
            codes = [c.strip() for c in str(v["work_packages"] or "").split(",") if c.strip()]
            linked = [
                _lookup(reader, "Milestones", row, "C", wps, reader.integer("Milestones", row, "C", c))
                for c in codes
            ]
            due = reader.integer("Milestones", row, "D", v["due_month"])
            if None in (number, due) or None in linked or not title:
                continue
            _apply(
                reader,
                "Milestones",
                row,
                {"due_month": "D", "number": "A", "title": "B"},
                lambda number=number, title=title, linked=linked, due=due, v=v: workplan.milestone_create(
                    actor=actor,
                    project=project,
                    title=title,
                    due_month=due,
                    work_packages=linked,
                    means_of_verification=str(v["means_of_verification"] or ""),
                    number=number,
                ),
            )
        if reader.errors:
            transaction.set_rollback(True)
    if reader.errors:
        raise WorkbookError(reader.errors)
    project.refresh_from_db()
    return project


def _organisation(values) -> Organisation | None:
    pic = str(values.get("pic") or "").strip()
    tax_code = str(values.get("tax_code") or "").strip()
    name = str(values.get("organisation") or "").strip()
    for lookup in (
        {"pic": pic} if pic else None,
        {"tax_code": tax_code} if tax_code else None,
        {"name": name} if name else None,
    ):
        if lookup:
            found = Organisation.objects.filter(**lookup).first()
            if found is not None:
                return found
    return None


def _lookup(reader, sheet, row, column, table, key):
    if key in (None, ""):
        if key == "":
            reader.error(sheet, row, column, ERROR_REQUIRED)
        return None
    key = key.strip() if isinstance(key, str) else key
    if key not in table:
        reader.error(sheet, row, column, ERROR_UNKNOWN, value=key)
        return None
    return table[key]
