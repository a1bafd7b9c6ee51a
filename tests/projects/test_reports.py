"""The projects' reports through reporting/: rows scoped to the user, real PDF, XLSX and CSV files."""

import io

import openpyxl
import pytest
from pypdf import PdfReader

from portal.choices import Role
from projects.models import Deliverable
from projects.services.budget import BudgetEntry, budget_set
from reporting.document import build_document
from reporting.registry import get_report, reports_for
from reporting.renderers import get_renderer
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import category, make_project, make_work_plan, manager_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    coordinator = OrganisationFactory(name="Comune di Torino")
    project = make_project(coordinator=coordinator, partners=1, acronym="DA4LP")
    make_work_plan(project)
    p = {x.short_name: x for x in project.partners.all()}
    periods = list(project.periods.order_by("number"))
    budget_set(
        actor=None,
        project=project,
        entries=[
            BudgetEntry(p["COORD"], category(project, "A"), periods[0], "600000.00"),
            BudgetEntry(p["P2"], category(project, "C.2"), periods[1], "400000.00"),
        ],
    )
    return {"project": project, "pm": manager_of(coordinator), "other": manager_of(OrganisationFactory())}


def render(key, user, data, fmt):
    report = get_report(key)
    params = report.clean_params(data, user=user)
    document = build_document(report=report, user=user, params=params)
    buffer = io.BytesIO()
    rows = get_renderer(fmt).write(document, buffer)
    return rows, buffer.getvalue()


def test_the_reports_are_in_the_catalogue_of_pms_officials_and_auditors():
    keys = {"projects.deliverables", "projects.budget_status", "projects.periodic_report"}
    for role in (Role.EU_PROJECT_MANAGER, Role.REGIONAL_OFFICIAL, Role.AUDITOR):
        assert keys <= {r.key for r in reports_for(make_user(role))}
    assert not keys & {r.key for r in reports_for(make_user(Role.APPLICANT))}


def test_deliverables_register_is_scoped_to_the_users_projects(world):
    rows, data = render("projects.deliverables", world["pm"], {}, "xlsx")
    assert rows == Deliverable.objects.count() == 2
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert any(c == "D1.1" for row in sheet.iter_rows(values_only=True) for c in row)
    rows, _data = render("projects.deliverables", world["other"], {}, "csv")
    assert rows == 0


def test_budget_status_adds_up_and_other_projects_are_refused(world):
    rows, data = render("projects.budget_status", world["pm"], {"project": world["project"].pk}, "csv")
    text = data.decode("utf-8-sig")
    assert rows == 2
    assert "600000.00" in text
    with pytest.raises(Exception):  # noqa: B017, PT011 (a project the user may not read is not a valid choice)
        get_report("projects.budget_status").clean_params(
            {"project": world["project"].pk}, user=world["other"]
        )


def test_periodic_report_summary_pdf_follows_the_eu_order(world):
    rows, data = render(
        "projects.periodic_report", world["pm"], {"project": world["project"].pk, "period": 1}, "pdf"
    )
    assert rows >= 5
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    positions = [
        text.index(s) for s in ("1. Deliverable", "2. Milestone", "3. Work package", "4. Costi", "5. Impegno")
    ]
    assert positions == sorted(positions)
    # each section is a heading over its rows, said once, not a cell repeated on every row
    assert text.count("1. Deliverable") == 1
    assert text.count("5. Impegno (mesi-persona") == 1
    assert "Sezione" not in text  # the section column is kept for XLSX and CSV only
    _rows, csv_data = render(
        "projects.periodic_report", world["pm"], {"project": world["project"].pk, "period": 1}, "csv"
    )
    assert csv_data.decode("utf-8-sig").count("1. Deliverable") == 2
