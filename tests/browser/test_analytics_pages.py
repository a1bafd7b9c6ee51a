"""Analytics pages in Chromium: a device's events, a site's events and a source's page pass axe
(WCAG 2.1 AA); screenshots go to the temporary folder for a human to look at."""

import os
import tempfile

import pytest
from django.utils import timezone

from portal.choices import Role
from tests.browser.test_accessibility import assert_accessible, log_in
from tests.factories import make_user
from tests.inventory.analytics_helpers import deployed_camera, event, make_source
from tests.inventory.test_analytics_rules import _run_on_commit  # noqa: F401 - the rules' task at once

pytestmark = pytest.mark.django_db(transaction=True)


def test_analytics_pages_are_accessible(page, comuni, client):
    from inventory.services.ingest import events_ingest
    from inventory.services.rules import rule_create

    camera = deployed_camera()
    issued = make_source(camera.owner)
    manager = make_user(Role.INVENTORY_MANAGER, camera.owner)
    rule_create(actor=None, source=issued.source, name="Folla in piazza", kind="crowd_density", threshold=3)
    import msgspec

    # Three events a day, 14 minutes apart, on six days of Italian time: in the first quarter of an
    # hour after midnight they start before it, so that a day's three never straddle two dates.
    local = timezone.localtime()
    since_midnight = local.hour * 60 + local.minute
    shift = since_midnight + 1 if since_midnight < 15 else 0
    batch = [
        event(kind=kind, value=value, minutes_ago=60 * 24 * day + n * 7 + shift)
        for day in range(6)
        for n, (kind, value) in enumerate(
            [("crowd_density", 2.0 + day), ("intrusion", None), ("loitering", None)]
        )
    ]
    events_ingest(source=issued.source, raws=[msgspec.json.encode(e) for e in batch])
    log_in(page, manager.email)
    site = camera.assignments.get(ended_on=None).site
    shots = os.environ.get("SCREENSHOTS_DIR", tempfile.gettempdir())
    for name, path in (
        ("device", f"/inventory/devices/{camera.pk}/"),
        ("site", f"/inventory/analytics/?site={site.pk}"),
        ("source", f"/inventory/analytics/sources/{issued.source.pk}/"),
        ("sources", "/inventory/analytics/sources/"),
    ):
        response = page.goto(f"{page.base_url}{path}")
        assert response.status == 200, path
        assert_accessible(page)
        page.screenshot(path=os.path.join(shots, f"sentinella-analytics-{name}.png"), full_page=True)
    page.goto(f"{page.base_url}/inventory/devices/{camera.pk}/")
    assert page.locator("table.charts-css.column tbody tr").count() == 6
