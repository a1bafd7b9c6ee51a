"""Every main page of the portal in Chromium passes WCAG 2.1 AA (axe-core): the public ones with no
login, the official's and the auditor's after logging in with TOTP, the applicant's."""

import pytest

from portal.choices import Role
from tests.browser.test_accessibility import assert_accessible, log_in
from tests.browser.test_ledger_pages import no_sideways_scroll
from tests.factories import OrganisationFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = ("/funding/calls/", "/funding/transparency/")
OFFICIAL = (
    "/funding/calls/manage/",
    "/funding/applications/review/",
    "/funding/allocations/",
    "/funding/expenses/",
    "/funding/transparency/publish/",
    "/reports/",
    "/reports/exports/",
    "/reports/audit/",
    "/access-requests/",
)
AUDITOR = ("/reports/", "/reports/audit/", "/reports/audit/verify/", "/funding/chapters/")
APPLICANT = ("/funding/applications/", "/funding/expenses/", "/reports/")


def visit(page, paths):
    for path in paths:
        response = page.goto(f"{page.base_url}{path}")
        assert response.status == 200, path
        assert_accessible(page)


def test_public_pages(page):
    visit(page, PUBLIC)


@pytest.mark.parametrize(
    ("role", "paths", "totp"),
    [
        (Role.REGIONAL_OFFICIAL, OFFICIAL, True),
        (Role.AUDITOR, AUDITOR, True),
        (Role.APPLICANT, APPLICANT, False),
    ],
)
def test_pages_of_each_role(page, role, paths, totp):
    user = make_user(role, OrganisationFactory(name="Regione Piemonte"))
    log_in(page, user.email, totp=totp)
    visit(page, paths)


def test_an_allocation_its_call_and_its_applications_with_data(page):
    import datetime

    from funding.choices import AllocationMethod
    from funding.services import allocation as services
    from tests.funding.factories import make_admitted, make_allocation_call

    official = make_user(Role.REGIONAL_OFFICIAL, OrganisationFactory(name="Regione Piemonte"))
    call = make_allocation_call(
        method=AllocationMethod.DECLARED_WEIGHT, amount="800000.00", status="published"
    )
    start = datetime.datetime(2020, 5, 4, 9, tzinfo=datetime.UTC)
    apps = [
        make_admitted(
            call,
            OrganisationFactory(name=f"Comune {i}"),
            declared_weight=w,
            submitted_at=start + datetime.timedelta(minutes=i),
        )
        for i, w in enumerate((12, 7, 3))
    ]
    call.status = "closed"
    call.save(update_fields=["status"])
    allocation = services.allocation_propose(actor=official, call=call)
    log_in(page, official.email, totp=True)
    paths = (
        f"/funding/allocations/{allocation.pk}/",
        f"/funding/allocations/{allocation.pk}/adopt/",
        f"/funding/calls/manage/{call.code}/",
        f"/funding/applications/{apps[0].pk}/",
        f"/funding/applications/{apps[0].pk}/review/",
        f"/reports/run/funding.allocation_annex/?allocation={allocation.pk}",
    )
    visit(page, paths)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    for path in paths[:4]:
        page.goto(f"{page.base_url}{path}")
        no_sideways_scroll(page)
