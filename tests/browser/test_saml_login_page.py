"""The login page with SPID and CIE configured, in Chromium: both buttons, the providers' list, WCAG 2.1
AA with axe-core in both states of the list, Italian and English; screenshots to look at in the
temporary folder (or SCREENSHOTS)."""

import os
import tempfile
from pathlib import Path

import pytest

from tests.browser.test_accessibility import assert_accessible, submit
from tests.saml_idp import configure_saml

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOTS", tempfile.gettempdir()))


def test_login_page_shows_spid_and_cie_and_is_accessible(page, settings, tmp_path):
    configure_saml(settings, tmp_path)
    page.goto(f"{page.base_url}/accounts/login/")
    button = page.locator("#spid-idp-button")
    assert "Entra con SPID" in button.inner_text()
    assert "Entra con CIE" in page.locator("[data-testid=cie-button]").inner_text()
    # The SPID icon is served by the portal itself.
    assert page.evaluate("document.querySelector('#spid-idp-button img').naturalWidth") > 0
    assert_accessible(page)
    page.screenshot(path=SHOTS / "sentinella-login-spid-cie.png", full_page=True)

    button.click()
    providers = page.locator("[data-testid=spid-providers] a")
    providers.first.wait_for(state="visible")
    # Bootstrap Italia fades the list in: axe reads colours once it is fully opaque.
    from playwright.sync_api import expect

    expect(page.locator(".spid-idp-list")).to_have_css("opacity", "1")
    page.wait_for_timeout(500)
    names = providers.all_inner_texts()
    assert {"IdP di prova", "Altro IdP"} <= set(names)
    assert button.get_attribute("aria-expanded") == "true"
    assert_accessible(page)
    page.screenshot(path=SHOTS / "sentinella-login-spid-open.png", full_page=True)

    page.keyboard.press("Escape")
    submit(page, "button[name=language][value=en]")
    assert "Log in with SPID" in page.locator("#spid-idp-button").inner_text()
    assert "Log in with CIE" in page.locator("[data-testid=cie-button]").inner_text()
    assert_accessible(page)
    page.screenshot(path=SHOTS / "sentinella-login-spid-cie-en.png", full_page=True)
