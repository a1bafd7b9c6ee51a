"""The ledger pages in Chromium: an official commits through the two-step form; every page passes
WCAG 2.1 AA (axe-core) at desktop and phone width, and none scrolls sideways on a phone."""

from decimal import Decimal

import pytest

from portal.choices import Role
from tests.browser.test_accessibility import assert_accessible, log_in, submit
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ChapterFactory, make_commitment, make_reservation

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a phone ({width}px)"


def test_an_official_commits_on_a_phone_and_every_ledger_page_is_accessible(page):
    chapter = ChapterFactory(number="151120", year=2020, appropriation=Decimal("1650000.00"))
    reservation = make_reservation("800000.00", chapter=chapter)
    beneficiary = OrganisationFactory(name="Comune di Cuneo")
    commitment = make_commitment("100000.00", reservation=reservation, beneficiary=beneficiary)
    official = make_user(Role.REGIONAL_OFFICIAL, OrganisationFactory(name="Regione Piemonte"))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, official.email, totp=True)

    for path in (
        "/funding/chapters/?year=2020",
        f"/funding/chapters/{chapter.pk}/",
        f"/funding/programmes/{reservation.action.axis.programme_id}/",
        f"/funding/reservations/{reservation.pk}/",
        f"/funding/commitments/{commitment.pk}/",
        "/funding/commitments/",
    ):
        page.goto(f"{page.base_url}{path}")
        assert_accessible(page)
        no_sideways_scroll(page)

    page.goto(f"{page.base_url}/funding/reservations/{reservation.pk}/commit/")
    assert_accessible(page)
    page.locator("input#id_beneficiary-search").type("Cuneo")  # the searchable select
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.fill("input[name=amount]", "50.000,00")
    page.fill("input[name=act_number]", "129/A1")
    page.fill("input[name=act_date]", "2021-04-23")
    submit(page)
    effect = page.locator("[data-testid=availability]").inner_text()
    assert "€ 700.000,00" in effect
    assert "€ 650.000,00" in effect
    assert_accessible(page)
    no_sideways_scroll(page)
    submit(page, "main form button[type=submit]:has-text('Conferma')")
    assert "Impegno registrato come provvisorio." in page.content()
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/funding/chapters/?year=2020")
    assert "€ 150.000,00" in page.locator("table").inner_text()
    assert_accessible(page)
