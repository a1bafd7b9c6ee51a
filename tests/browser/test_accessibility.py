"""End to end in Chromium: log in (with TOTP for officials) and check WCAG 2.1 AA with axe-core."""

import pytest

from portal.choices import Role
from tests.factories import TEST_PASSWORD, OrganisationFactory, make_user
from tests.utils import totp_code

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=WCAG_21_AA)
    assert result.violations_count == 0, result.generate_report()


def submit(page, selector="main form button[type=submit]"):
    """Click a button that posts a form and wait for the page that answers it."""
    with page.expect_navigation():
        page.click(selector)


def log_in(page, email, *, totp=False):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    submit(page)
    if totp:
        page.wait_for_selector("input[name=code]")
        assert_accessible(page)
        for _attempt in range(2):  # a code read at the end of its 30 s window may expire on the way
            page.fill("input[name=code]", totp_code())
            submit(page)
            if "/2fa/" not in page.url:
                break


def test_public_pages_are_accessible(page):
    page.goto(f"{page.base_url}/")
    assert page.locator("html").get_attribute("lang") == "it"
    # Bootstrap Italia's font, from the local stylesheet (portal/fonts.css), under the CSP.
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check(\"16px 'Titillium Web'\"))")
    assert_accessible(page)
    page.goto(f"{page.base_url}/accounts/login/")
    assert_accessible(page)
    page.goto(f"{page.base_url}/accounts/signup/")
    assert_accessible(page)
    page.goto(f"{page.base_url}/pagina-che-non-esiste/")
    assert "Pagina non trovata" in page.content()
    assert_accessible(page)


def test_official_logs_in_with_totp_and_sees_the_home_in_italian(page):
    official = make_user(Role.REGIONAL_OFFICIAL, OrganisationFactory(name="Regione Piemonte"))
    log_in(page, official.email, totp=True)
    assert page.locator("h1").inner_text() == "Funzionario regionale"
    assert "Regione Piemonte" in page.locator("[data-testid=current-role]").inner_text()
    assert_accessible(page)


def test_applicant_logs_in_and_switches_to_english(page):
    applicant = make_user(Role.APPLICANT, OrganisationFactory(name="Comune di Prova"))
    log_in(page, applicant.email)
    assert page.locator("h1").inner_text() == "Richiedente"
    assert_accessible(page)
    submit(page, "button[name=language][value=en]")
    assert page.locator("h1").inner_text() == "Applicant"
    assert page.locator("html").get_attribute("lang") == "en"


def test_home_is_usable_on_a_phone(page):
    applicant = make_user(Role.APPLICANT, OrganisationFactory(name="Comune di Prova"))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, applicant.email)
    assert page.locator("button:has-text('Esci')").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(page)


def test_officials_home_draws_the_chapters_chart_beside_its_table(page):
    from django.utils import timezone

    from tests.funding.factories import ActionFactory, ChapterFactory, make_reservation

    year = timezone.localdate().year
    chapter = ChapterFactory(year=year)
    make_reservation("1234.56", chapter=chapter, action=ActionFactory(start_year=year, end_year=year))
    official = make_user(Role.REGIONAL_OFFICIAL, OrganisationFactory(name="Regione Piemonte"))
    log_in(page, official.email, totp=True)
    page.wait_for_function("window.Chart && Chart.getChart('chapter-use-chart')")
    drawn = page.evaluate("Chart.getChart('chapter-use-chart').data.datasets.map(d => d.data[0])")
    assert drawn == [1000000, 1234.56, 0, 0]
    assert "1.234,56" in page.locator("#use-t").locator("xpath=..").inner_text()
    # The official's long menu wraps: the page never scrolls sideways on a 1280-pixel screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the official's home scrolls sideways at 1280px ({width}px)"
    assert page.locator("#main-nav a.nav-link", has_text="Progetti UE").is_visible()
    assert_accessible(page)
