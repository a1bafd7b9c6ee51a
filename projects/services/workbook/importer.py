"""The workbook read into an empty project, all or nothing: every bad cell is reported by sheet, row and
column, and nothing is written unless every cell is right."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.models import User
from projects.models import (
    CostCategory,
    DeliverableType,
    DisseminationLevel,
    Project,
)
from projects.services.common import access
from projects.services.partners import foreign_body_register
from projects.services.workbook.common import (
    ERROR_NOT_EMPTY,
    ERROR_ORGANISATION,
    ERROR_PROGRAMME,
    ERROR_UNKNOWN,
    PROJECT_FIELDS,
    WorkbookError,
)
from projects.services.workbook.reader import (
    _apply,
    _foreign,
    _letter,
    _load,
    _lookup,
    _numbered,
    _organisation,
    _Reader,
)


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
            if org is None and _foreign(v):  # a foreign body new to the portal: registered as "other body"
                org = _apply(
                    reader,
                    "Partners",
                    row,
                    {"name": "C", "country": "D", "pic": "E", "*": "C"},
                    lambda v=v: foreign_body_register(
                        actor=actor,
                        project=project,
                        name=str(v["organisation"] or ""),
                        country=str(v["country"] or ""),
                        pic=str(v["pic"] or ""),
                    ),
                )
                if org is None:
                    continue
            elif org is None:
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
            period = _numbered(reader, "Budget", row, "C", periods, v["period"])
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
            wp = _numbered(reader, "Tasks", row, "A", wps, v["work_package"])
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
            wp = _numbered(reader, "Effort", row, "A", wps, v["work_package"])
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
            wp = _numbered(reader, "Deliverables", row, "A", wps, v["work_package"])
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
            linked = [_numbered(reader, "Milestones", row, "C", wps, c) for c in codes]
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
