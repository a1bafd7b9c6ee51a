"""The account's API tokens page in Chromium: an applicant creates a token, sees it once, revokes it;
the page passes axe (WCAG 2.1 AA). An official logged in with TOTP may create one too."""

import os
import tempfile

import pytest

from portal.choices import Role
from portal.models import ApiToken
from tests.browser.test_accessibility import assert_accessible, log_in, submit
from tests.factories import OrganisationFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_tokens_are_created_shown_once_and_revoked(page):
    applicant = make_user(Role.APPLICANT, OrganisationFactory(name="Comune di Prova"))
    log_in(page, applicant.email)
    page.click("a:has-text('Token API')")
    assert_accessible(page)
    page.fill("input[name=name]", "script di esportazione")
    submit(page)
    key = page.locator("[data-testid=new-token] code").first.inner_text()
    assert ApiToken.objects.get(user=applicant).prefix == key[:8]
    assert_accessible(page)
    page.screenshot(path=os.path.join(tempfile.gettempdir(), "sentinella-api-tokens.png"), full_page=True)
    page.goto(f"{page.base_url}/account/api-tokens/")
    assert key not in page.content()
    submit(page, "button:has-text('Revoca')")
    assert "revocato" in page.content()
    assert ApiToken.objects.get(user=applicant).revoked_at is not None


def test_an_official_with_totp_creates_a_token(page):
    official = make_user(Role.REGIONAL_OFFICIAL, OrganisationFactory(name="Regione Piemonte"))
    log_in(page, official.email, totp=True)
    page.goto(f"{page.base_url}/account/api-tokens/")
    page.fill("input[name=name]", "cruscotto")
    submit(page)
    assert page.locator("[data-testid=new-token]").is_visible()
