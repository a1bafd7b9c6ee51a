"""The official's and the applicant's home pages as work queues: the counts and links a user notices,
only their own organisation's items, and a number of queries that does not grow with the data."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding.choices import AllocationMethod, AllocationStatus, ExpenseReportStatus
from funding.home import applicant_queue, official_queue
from funding.models import Allocation, ExpenseReport
from portal.choices import Role
from tests.factories import make_user
from tests.funding.factories import (
    ActionFactory,
    ChapterFactory,
    make_allocation_call,
    make_commitment,
    make_reservation,
)
from tests.funding.factories_calls import make_applicant, make_call, make_draft, make_submitted

pytestmark = pytest.mark.django_db


def _official_data(n: int) -> dict:
    """n of each thing that waits for an official."""
    now = timezone.now()
    year = timezone.localdate().year
    chapter = ChapterFactory(year=year, appropriation=Decimal("50000.00"))
    action = ActionFactory(start_year=2020, end_year=year)
    closing = make_call(title="Avviso in chiusura", closes_at=now + datetime.timedelta(days=5))
    make_call(title="Avviso lontano", closes_at=now + datetime.timedelta(days=30))
    for _ in range(n):
        make_submitted(closing)
        make_draft(closing)
        grant = make_commitment(
            "1500.00", reservation=make_reservation("1500.00", chapter=chapter, action=action)
        )
        ExpenseReport.objects.create(commitment=grant, status=ExpenseReportStatus.SUBMITTED)
        make_commitment(
            "2000.00",
            reservation=make_reservation("2000.00", chapter=chapter, action=action),
            published=False,
        )
        call = make_allocation_call(method=AllocationMethod.FIXED)
        Allocation.objects.create(
            call=call, method=AllocationMethod.FIXED, total=Decimal("100.00"), inputs={}
        )
        ChapterFactory(year=year)
    return {"chapter": chapter, "closing": closing}


def test_the_official_sees_what_waits_with_counts_and_links(client):
    data = _official_data(2)
    adopted_call = make_allocation_call(method=AllocationMethod.FIXED)
    Allocation.objects.create(
        call=adopted_call,
        method=AllocationMethod.FIXED,
        total=Decimal("1.00"),
        inputs={},
        status=AllocationStatus.ADOPTED,
        act_number="1/2026",
        act_date=timezone.localdate(),
    )
    official = make_user(Role.REGIONAL_OFFICIAL)
    client.force_login(official)
    response = client.get(reverse("home"))
    html = response.content.decode()
    queue = response.context["queue"]
    assert queue.applications_to_review == 2
    assert queue.reports_to_verify == 2
    assert queue.allocations_proposed == 2  # the adopted one is not waiting
    assert queue.grants_to_publish == 2
    assert queue.grants_to_publish_amount == Decimal("4000.00")
    assert 'data-count="applications">2<' in html
    assert 'data-count="grants">2<' in html
    assert "4.000,00" in html
    for url in (
        reverse("funding:review_queue"),
        reverse("funding:expense_list") + "?status=submitted",
        reverse("funding:allocation_list") + "?status=proposed",
        reverse("funding:transparency_publish"),
        reverse("funding:call_manage_detail", args=[data["closing"].code]),
    ):
        assert f'href="{url}"' in html
    # Closing within 14 days: the call of next week, with its submitted and draft applications.
    [closing] = queue.closing_calls
    assert closing.call == data["closing"]
    assert (closing.submitted, closing.drafts) == (2, 2)
    assert "Avviso lontano" not in html


def test_the_official_sees_the_chapters_of_this_year_as_a_chart_and_a_table(client):
    data = _official_data(1)
    chapter = data["chapter"]
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    response = client.get(reverse("home"))
    html = response.content.decode()
    use = response.context["queue"].chapter_use
    assert use.year == timezone.localdate().year
    assert use.is_current_year
    row = next(c for c in use.chapters if c.pk == chapter.pk)
    assert (row.appropriation, row.reserved, row.committed, row.liquidated) == (
        Decimal("50000.00"),
        Decimal("3500.00"),
        Decimal("3500.00"),
        Decimal("0.00"),
    )
    # The table has the chart's figures; the chart's data are a JSON block, its script a file.
    assert "50.000,00" in html
    assert "3.500,00" in html
    chart = json.loads(html.split('id="chapter-use-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"][0] == str(chapter)
    assert [d["key"] for d in chart["datasets"]] == ["appropriation", "reserved", "committed", "liquidated"]
    assert chart["datasets"][1]["data"][0] == "3500.00"
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "funding/home_chart.js" in html
    assert 'role="img"' in html
    assert " style=" not in html


def test_without_chapters_this_year_the_official_sees_the_latest_year():
    ChapterFactory(year=2021)
    ChapterFactory(year=2022)
    use = official_queue(user=make_user(Role.REGIONAL_OFFICIAL)).chapter_use
    assert use.year == 2022
    assert not use.is_current_year


def test_the_officials_queue_costs_the_same_queries_for_little_and_much_data(client):
    official = make_user(Role.REGIONAL_OFFICIAL)
    _official_data(1)
    official_queue(user=official)  # the user's roles are read once and kept on the user
    with CaptureQueriesContext(connection) as small:
        official_queue(user=official)
    # Four counts, the closing calls, the chapters' years and their figures.
    assert len(small) == 7
    _official_data(6)
    with CaptureQueriesContext(connection) as large:
        queue = official_queue(user=official)
    assert len(large) == len(small)
    assert queue.applications_to_review == 7
    client.force_login(official)
    client.get(reverse("home"))  # the session's first write happens here, not in the measured request
    with CaptureQueriesContext(connection) as page_small:
        client.get(reverse("home"))
    _official_data(3)
    with CaptureQueriesContext(connection) as page_large:
        client.get(reverse("home"))
    assert len(page_large) == len(page_small)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.APPLICANT, Role.EU_PROJECT_MANAGER])
def test_other_roles_get_no_official_queue(role):
    assert official_queue(user=make_user(role)) is None


# --- Applicant ---------------------------------------------------------------------------------------------
def test_the_applicant_sees_open_calls_drafts_missing_documents_and_reports_due(client):
    now = timezone.now()
    user, org = make_applicant()
    other_user, other_org = make_applicant()
    to_apply = make_call(title="Avviso da presentare", closes_at=now + datetime.timedelta(days=3))
    started = make_call(title="Avviso iniziato", closes_at=now + datetime.timedelta(days=8))
    draft = make_draft(started, user, org)
    make_draft(to_apply, other_user, other_org)  # another comune's draft: not ours
    grant = make_commitment("5000.00", beneficiary=org)
    returned = make_commitment("700.00", beneficiary=org)
    ExpenseReport.objects.create(commitment=returned, status=ExpenseReportStatus.RETURNED)
    make_commitment("900.00", beneficiary=other_org)

    client.force_login(user)
    response = client.get(reverse("home"))
    html = response.content.decode()
    queue = response.context["queue"]
    assert [c.call for c in queue.calls_to_apply] == [to_apply]
    assert [d.application for d in queue.drafts] == [draft]
    assert [d.name for d in queue.drafts[0].documents] == ["Domanda firmata"]
    assert queue.drafts[0].days_left == 8
    assert queue.missing_documents == 1
    assert [g.pk for g in queue.reports_to_start] == [grant.pk]
    assert [r.commitment_id for r in queue.reports_in_progress] == [returned.pk]
    assert queue.reports_due == 2
    assert 'data-count="calls">1<' in html
    assert 'data-count="drafts">1<' in html
    assert 'data-count="documents">1<' in html
    assert 'data-count="reports">2<' in html
    assert "Domanda firmata" in html
    assert "8 giorni alla scadenza" in html
    assert "restituita per correzioni" in html
    assert reverse("funding:application_detail", args=[draft.pk]) in html
    assert reverse("funding:call_detail", args=[to_apply.code]) in html
    # Nothing of the other comune.
    assert other_org.name not in html
    assert "900,00" not in html


def test_a_submitted_report_waits_for_the_region_and_is_not_due(client):
    user, org = make_applicant()
    grant = make_commitment("5000.00", beneficiary=org)
    ExpenseReport.objects.create(commitment=grant, status=ExpenseReportStatus.SUBMITTED)
    queue = applicant_queue(user=user)
    assert queue.reports_due == 0
    assert queue.reports_waiting == 1
    client.force_login(user)
    assert "in attesa della verifica della Regione" in client.get(reverse("home")).content.decode()


def test_the_applicants_queue_costs_the_same_queries_for_few_and_many_drafts():
    user, org = make_applicant()

    def grow(n):
        for _ in range(n):
            make_draft(make_call(), user, org)
            make_commitment("1500.00", beneficiary=org)

    grow(1)
    applicant_queue(user=user)  # the user's roles are read once and kept on the user
    with CaptureQueriesContext(connection) as small:
        applicant_queue(user=user)
    grow(5)
    with CaptureQueriesContext(connection) as large:
        queue = applicant_queue(user=user)
    assert len(large) == len(small)
    assert len(queue.drafts) == 6
    assert len(queue.reports_to_start) == 6


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (None, [], ["applications", "calls", "ready"]),
        (Role.REGIONAL_OFFICIAL, ["applications", "reports", "allocations", "grants"], ["calls", "ready"]),
        (Role.APPLICANT, ["calls", "drafts", "documents", "reports"], ["applications", "grants", "ready"]),
        (Role.AUDITOR, ["ready", "running", "events"], ["applications", "grants", "calls"]),
        (Role.EU_PROJECT_MANAGER, [], ["applications", "grants", "calls", "ready"]),
        (Role.INVENTORY_MANAGER, [], ["applications", "grants", "calls", "ready"]),
    ],
)
def test_each_role_sees_its_own_queue_and_no_other(client, role, shown, hidden):
    _official_data(1)
    if role is not None:
        client.force_login(make_user(role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in shown:
        assert f'data-count="{key}"' in html
    for key in hidden:
        assert f'data-count="{key}"' not in html
