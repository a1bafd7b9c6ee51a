"""EU projects in Chromium: the project manager's home, the project page (timeline, budget chart) on a
desktop and on a phone, the register, a deliverable taken to review, and the periodic report, each
checked against WCAG 2.1 AA with axe-core."""

import pytest

from portal.choices import Role
from tests.browser.test_accessibility import assert_accessible, log_in
from tests.browser.test_ledger_pages import no_sideways_scroll
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import make_project, make_work_plan

pytestmark = pytest.mark.django_db(transaction=True)


def test_project_manager_pages_are_accessible_and_readable_on_a_phone(page):
    torino = OrganisationFactory(name="Comune di Torino")
    project = make_project(coordinator=torino, partners=1, acronym="DA4LP")
    _wp1, _wp2, d11, _d21 = make_work_plan(project)
    manager = make_user(Role.EU_PROJECT_MANAGER, torino)
    colleague = make_user(Role.APPLICANT, torino)
    log_in(page, manager.email)
    for path in (
        "/",
        "/projects/",
        "/projects/DA4LP/",
        "/projects/deliverables/",
        "/projects/DA4LP/periods/1/",
        f"/projects/DA4LP/deliverables/{d11.pk}/",
        "/projects/DA4LP/public/",
    ):
        response = page.goto(f"{page.base_url}{path}")
        assert response.status == 200, path
        assert_accessible(page)
    page.goto(f"{page.base_url}/projects/DA4LP/")
    assert page.locator("svg.timeline path.marker").count() == 2
    assert page.locator("canvas#budget-chart").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/projects/DA4LP/", f"/projects/DA4LP/deliverables/{d11.pk}/"):
        page.goto(f"{page.base_url}{path}")
        no_sideways_scroll(page)
    page.goto(f"{page.base_url}/projects/DA4LP/deliverables/{d11.pk}/")
    page.select_option("select[name=reviewer]", str(colleague.pk))
    page.locator("form:has(input[value=review]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "Revisione interna" in page.content()
    assert_accessible(page)
