"""A project set up in Chromium by its project manager, without the workbook: new project, a partner,
a reporting period, the budget (first off by an amount the page states), a work package and a
deliverable; every page checked against WCAG 2.1 AA with axe-core, also with its errors shown."""

import tempfile
from pathlib import Path

import pytest

from portal.choices import Role
from projects.models import BudgetLine, Deliverable, Project
from tests.browser.test_accessibility import assert_accessible, log_in, submit
from tests.browser.test_ledger_pages import no_sideways_scroll
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import ForeignBodyFactory, programme

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(tempfile.gettempdir())  # screenshots to look at


def test_project_create_work_package_deliverable_in_the_browser(page):
    programme()
    torino = OrganisationFactory(name="Comune di Torino")
    ForeignBodyFactory(name="Ville de Nice")
    manager = make_user(Role.EU_PROJECT_MANAGER, torino)
    log_in(page, manager.email)

    page.goto(f"{page.base_url}/projects/")
    with page.expect_navigation():
        page.click("text=Nuovo progetto UE")
    assert_accessible(page)
    page.select_option("#id_organisation", label="Comune di Torino", force=True)  # behind its autocomplete
    page.fill("#id_short_name", "TORINO")
    page.select_option("#id_programme", label="Horizon Europe")
    page.fill("#id_acronym", "DA4LP")
    page.fill("#id_title", "Digital Academy for Local Police")
    page.fill("#id_start_date", "2025-01-01")
    page.fill("#id_duration_months", "36")
    page.fill("#id_total_eligible_cost", "100.000,00")
    page.fill("#id_eu_contribution", "80.000,00")
    page.fill("#id_funding_rate", "80")
    submit(page)
    assert page.url.endswith("/projects/DA4LP/")
    assert_accessible(page)

    with page.expect_navigation():
        page.click("main a:text-is('Partner')")
    page.select_option("#id_organisation", label="Ville de Nice", force=True)
    page.fill("#id_short_name", "NICE")
    submit(page, "main form:has(input[value=add]) button[type=submit]")
    assert "NICE" in page.content()
    assert_accessible(page)

    page.goto(f"{page.base_url}/projects/DA4LP/plan/")
    page.locator("#f-period summary").click()
    page.fill("#id_period-start_month", "1")
    page.fill("#id_period-end_month", "40")
    submit(page, "#f-period button[type=submit]")
    assert "Il mese 40 è fuori dal progetto, che va dal mese 1 al mese 36." in page.content()
    assert_accessible(page)  # the error is tied to its field
    page.fill("#id_period-end_month", "36")
    submit(page, "#f-period button[type=submit]")
    assert "RP1" in page.content()

    page.goto(f"{page.base_url}/projects/DA4LP/budget/")
    inputs = page.locator("main table input")
    assert inputs.count() == 2 * 7  # two partners, seven categories of Horizon Europe, one period
    inputs.nth(0).fill("60.000,00")
    submit(page, "button[value=preview]")
    assert "la differenza dal costo totale ammissibile (€ 100.000,00) è € 40.000,00" in page.content()
    assert_accessible(page)
    page.locator("main table input").nth(7).fill("40.000,00")
    submit(page, "button[value=save]")
    assert BudgetLine.objects.count() == 2

    page.goto(f"{page.base_url}/projects/DA4LP/plan/")
    page.locator("#f-wp summary").click()
    page.fill("#id_wp-title", "Project management")
    page.select_option("#id_wp-lead", index=1)
    page.fill("#id_wp-start_month", "1")
    page.fill("#id_wp-end_month", "36")
    submit(page, "#f-wp button[type=submit]")
    assert "WP1 Project management" in page.content()
    page.locator("#f-deliverable summary").click()
    page.select_option("#id_deliverable-work_package", index=1)
    page.fill("#id_deliverable-title", "Project handbook")
    page.select_option("#id_deliverable-lead", index=1)
    page.select_option("#id_deliverable-type", index=1)
    page.select_option("#id_deliverable-dissemination", index=1)
    page.fill("#id_deliverable-due_month", "6")
    submit(page, "#f-deliverable button[type=submit]")
    assert "D1.1" in page.content()
    assert_accessible(page)
    page.screenshot(path=SHOTS / "projects-work-plan.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/projects/DA4LP/plan/", "/projects/DA4LP/budget/", "/projects/DA4LP/partners/"):
        page.goto(f"{page.base_url}{path}")
        no_sideways_scroll(page)
    page.goto(f"{page.base_url}/projects/DA4LP/budget/")
    page.screenshot(path=SHOTS / "projects-budget-phone.png", full_page=True)

    deliverable = Deliverable.objects.get(project=Project.objects.get(acronym="DA4LP"))
    page.goto(f"{page.base_url}/projects/DA4LP/deliverables/{deliverable.pk}/")
    assert "D1.1 Project handbook" in page.content()
    assert_accessible(page)
