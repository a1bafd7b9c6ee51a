"""The work-plan workbook: template, export, all-or-nothing import with errors by sheet, row and column,
and the round trip: an export imported into an empty project gives the same project."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.models import AuditEvent, Organisation
from projects.models import Deliverable, Project, WorkPackage
from projects.services.budget import BudgetEntry, budget_set
from projects.services.projects import project_create
from projects.services.workbook import SHEETS, WorkbookError, workbook_export, workbook_import
from tests.factories import OrganisationFactory
from tests.projects.factories import category, make_project, make_work_plan, manager_of, programme

pytestmark = pytest.mark.django_db


def _sheets(data: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def _full_project():
    coordinator = OrganisationFactory(name="Comune di Torino")
    project = make_project(coordinator=coordinator, partners=1, acronym="SOURCE")
    make_work_plan(project)
    p = {x.short_name: x for x in project.partners.all()}
    periods = list(project.periods.order_by("number"))
    budget_set(
        actor=None,
        project=project,
        entries=[
            BudgetEntry(p["COORD"], category(project, "A"), periods[0], Decimal("600000.00")),
            BudgetEntry(p["P2"], category(project, "C.2"), periods[1], Decimal("399999.50")),
            BudgetEntry(p["P2"], category(project, "E"), periods[1], Decimal("0.50")),
        ],
    )
    return project, coordinator


def _empty_target(coordinator):
    start = Project.objects.get(acronym="SOURCE").start_date
    return project_create(
        actor=None, acronym="TARGET", title="Empty", programme=programme(), start_date=start,
        duration_months=12, organisation=coordinator, short_name="COORD",
    )  # fmt: skip


def test_template_has_every_sheet_with_its_header():
    user = manager_of(OrganisationFactory())
    sheets = _sheets(workbook_export(user=user))
    assert list(sheets) == list(SHEETS)
    for name, header in SHEETS.items():
        assert sheets[name][0] == header


def test_export_then_import_into_an_empty_project_gives_the_same_project():
    source, coordinator = _full_project()
    pm = manager_of(coordinator)
    exported = workbook_export(user=pm, project=source)
    target = _empty_target(coordinator)
    target = workbook_import(actor=pm, project=target, data=exported)
    again = _sheets(workbook_export(user=pm, project=target))
    first = _sheets(exported)
    first["Project"] = [r for r in first["Project"] if r[0] != "acronym"]
    again["Project"] = [r for r in again["Project"] if r[0] != "acronym"]
    assert again == first
    assert WorkPackage.objects.filter(project=target).count() == 2
    assert Deliverable.objects.get(project=target, work_package__number=2).dissemination.code == "SEN"


def test_a_bad_workbook_is_refused_whole_with_every_bad_cell():
    source, coordinator = _full_project()
    pm = manager_of(coordinator)
    book = openpyxl.load_workbook(io.BytesIO(workbook_export(user=pm, project=source)))
    book["WorkPackages"]["E3"] = 99  # WP2 ends after the project
    book["Deliverables"]["E2"] = "NOPE"  # an unknown type
    book["Budget"]["D2"] = "abc"
    buffer = io.BytesIO()
    book.save(buffer)
    target = _empty_target(coordinator)
    with pytest.raises(WorkbookError) as excinfo:
        workbook_import(actor=pm, project=target, data=buffer.getvalue())
    cells = {(e.sheet, e.row, e.column) for e in excinfo.value.cell_errors}
    assert {("WorkPackages", 3, "E"), ("Deliverables", 2, "E"), ("Budget", 2, "D")} <= cells
    text = " ".join(str(e) for e in excinfo.value.cell_errors)
    assert "Foglio WorkPackages, riga 3, colonna E" in text
    target.refresh_from_db()
    assert target.partners.count() == 1  # nothing was imported
    assert not target.periods.exists()
    assert target.duration_months == 12


def test_only_the_coordinators_manager_imports_and_only_into_an_empty_project(client):
    source, coordinator = _full_project()
    data = workbook_export(user=manager_of(coordinator), project=source)
    with pytest.raises(PermissionDenied):
        workbook_import(
            actor=manager_of(source.partners.get(number=2).organisation), project=source, data=data
        )
    with pytest.raises(Exception, match=r"vuoto|empty"):
        workbook_import(actor=None, project=source, data=data)
    client.force_login(manager_of(coordinator))
    response = client.get(reverse("projects:workbook_download", args=["SOURCE"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    target = _empty_target(coordinator)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "plan.xlsx"
    refused = client.post(reverse("projects:workbook_import", args=[target.acronym]), {"file": upload})
    assert refused.status_code == 400


# --- Partners new to the portal ---------------------------------------------------------------------
def _with_partner_row(data: bytes, row: list) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["Partners"].append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_foreign_partner_new_to_the_portal_is_registered_by_the_import_as_an_other_body():
    source, coordinator = _full_project()
    pm = manager_of(coordinator)
    data = _with_partner_row(
        workbook_export(user=pm, project=source),
        [3, "LIEGE", "Ville de Liège", "BE", "912345670", None, "beneficiary"],
    )
    target = workbook_import(actor=pm, project=_empty_target(coordinator), data=data)
    liege = target.partners.get(short_name="LIEGE")
    assert (liege.number, liege.role) == (3, "beneficiary")
    body = liege.organisation
    assert (body.name, body.kind, body.country.code, body.pic) == (
        "Ville de Liège",
        "other",
        "BE",
        "912345670",
    )
    assert AuditEvent.objects.filter(action="organisation.created", target_id=str(body.pk)).exists()


def test_an_unknown_partner_is_reported_by_cell_and_nothing_is_registered():
    source, coordinator = _full_project()
    pm = manager_of(coordinator)
    data = workbook_export(user=pm, project=source)
    data = _with_partner_row(data, [3, "LIEGE", "Ville de Liège", "BE", "9123", None, "beneficiary"])
    data = _with_partner_row(data, [4, "CUNEO", "Comune di Cuneo (typo)", "IT", None, None, "beneficiary"])
    data = _with_partner_row(data, [5, "LYON", "Ville de Lyon", "FR", "912345671", None, "beneficiary"])
    target = _empty_target(coordinator)
    organisations = Organisation.objects.count()
    with pytest.raises(WorkbookError) as excinfo:
        workbook_import(actor=pm, project=target, data=data)
    errors = {(e.sheet, e.row, e.column): e.message for e in excinfo.value.cell_errors}
    assert ("Partners", 4, "E") in errors  # a PIC is 9 digits
    assert errors[("Partners", 5, "C")].startswith(
        "Nessuna organizzazione con questo PIC, codice fiscale o nome è registrata nel portale"
    )
    assert Organisation.objects.count() == organisations  # Lyon, fine by itself, was not kept either
    assert target.partners.count() == 1
