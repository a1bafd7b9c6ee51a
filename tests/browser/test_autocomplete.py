"""A select of ~1,190 beneficiaries is searched, not scrolled (issue 9, item 21): the official types
part of a name, chooses with the keyboard, and the form sends the chosen organisation."""

from decimal import Decimal

import pytest

from portal.choices import Role
from tests.browser.test_accessibility import assert_accessible, log_in
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ChapterFactory, make_reservation

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_beneficiary_is_found_by_typing_and_chosen_with_the_keyboard(page):
    chapter = ChapterFactory(number="151120", year=2020, appropriation=Decimal("1650000.00"))
    reservation = make_reservation("800000.00", chapter=chapter)
    for n in range(60):
        OrganisationFactory(name=f"Comune di Prova {n:02d}")
    cuneo = OrganisationFactory(name="Comune di Cuneo")
    official = make_user(Role.REGIONAL_OFFICIAL, OrganisationFactory(name="Regione Piemonte"))
    log_in(page, official.email, totp=True)
    page.goto(f"{page.base_url}/funding/reservations/{reservation.pk}/commit/")
    field = page.locator("input#id_beneficiary-search")
    field.click()
    field.type("Cune")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("select[name=beneficiary]").input_value() == str(cuneo.pk)
    page.screenshot(path="/tmp/autocomplete.png", full_page=True)  # noqa: S108  (looked at by hand)
    assert_accessible(page)
