"""Reporting periods and the periodic report: expenditure lines and effort per partner, WP progress,
late justifications before locking, and the status flow."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.choices import Role
from portal.models import AuditEvent
from projects.choices import ReportStatus
from projects.models import Deliverable, ExpenditureLine, PeriodicReport
from projects.selectors import budget_status, effort_status, equipment_expenditure_lines
from projects.services import periods as svc
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import category, make_project, make_work_plan, manager_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    coordinator = OrganisationFactory(name="Comune di Torino")
    # Started two years ago: RP1 (months 1-12) is over, its deliverables overdue.
    start = (timezone.localdate() - datetime.timedelta(days=760)).replace(day=1)
    project = make_project(coordinator=coordinator, partners=1, start=start, periods=((1, 12), (13, 36)))
    wp1, wp2, d11, d21 = make_work_plan(project)
    partner = project.partners.get(number=2)
    report = PeriodicReport.objects.get(period__project=project, period__number=1)
    return {
        "project": project,
        "report": report,
        "wp1": wp1,
        "wp2": wp2,
        "d11": d11,
        "d21": d21,
        "coord": project.partners.get(number=1),
        "partner": partner,
        "coord_pm": manager_of(coordinator),
        "partner_pm": manager_of(partner.organisation),
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
    }


def add_line(
    world, *, actor=None, partner=None, code="C.2", amount="1200.00", vat_id="00514490010", number="F-1", **kw
):
    project = world["project"]
    return svc.expenditure_line_add(
        actor=actor,
        report=world["report"],
        partner=partner or world["coord"],
        category=category(project, code),
        invoice_number=number,
        invoice_date=project.start_date + datetime.timedelta(days=40),
        supplier_name="Forniture Srl",
        supplier_vat_id=vat_id,
        amount=amount,
        vat="264.00",
        **kw,
    )


def test_expenditure_lines_check_vat_ids_dates_and_categories(world):
    line = add_line(world, equipment_description="2 VR headsets")
    assert (line.supplier_vat_id, line.amount, line.equipment_description) == (
        "00514490010",
        Decimal("1200.00"),
        "2 VR headsets",
    )
    foreign = add_line(world, vat_id="FR 40 303 265 045", number="F-2")
    assert foreign.supplier_vat_id == "FR40303265045"
    with pytest.raises(ValidationError) as excinfo:
        add_line(world, vat_id="00514490011", number="F-3")
    assert "partita IVA" in excinfo.value.message_dict["supplier_vat_id"][0]
    with pytest.raises(ValidationError) as excinfo:
        add_line(world, vat_id="", number="F-4")
    assert "supplier_vat_id" in excinfo.value.message_dict
    add_line(world, code="A", vat_id="", number="TS-01")  # personnel: time sheets, no supplier
    with pytest.raises(ValidationError) as excinfo:
        add_line(world, number="F-1")  # the same invoice twice
    assert "invoice_number" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        add_line(world, amount="0", number="F-5")
    assert "amount" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        svc.expenditure_line_add(
            actor=None,
            report=world["report"],
            partner=world["coord"],
            category=category(world["project"], "C.2"),
            invoice_number="F-6",
            invoice_date=world["report"].period.end_date + datetime.timedelta(days=1),
            supplier_name="X",
            supplier_vat_id="00514490010",
            amount="1.00",
        )
    assert "invoice_date" in excinfo.value.message_dict
    assert ExpenditureLine.objects.count() == 3
    assert list(equipment_expenditure_lines(user=world["official"])) == [line, foreign]
    assert (
        list(equipment_expenditure_lines(user=make_user(Role.EU_PROJECT_MANAGER, OrganisationFactory())))
        == []
    )


def test_each_partner_manager_writes_only_their_own_costs_and_effort(world):
    add_line(world, actor=world["partner_pm"], partner=world["partner"])
    with pytest.raises(PermissionDenied):
        add_line(world, actor=world["partner_pm"], partner=world["coord"], number="F-9")
    for user in (world["official"], world["auditor"]):
        with pytest.raises(PermissionDenied):
            add_line(world, actor=user, number="F-10")
    svc.actual_effort_set(
        actor=world["partner_pm"],
        report=world["report"],
        partner=world["partner"],
        work_package=world["wp2"],
        person_months="4.50",
    )
    with pytest.raises(PermissionDenied):
        svc.actual_effort_set(
            actor=world["partner_pm"],
            report=world["report"],
            partner=world["coord"],
            work_package=world["wp1"],
            person_months="1",
        )
    efforts = effort_status(project=world["project"])
    assert efforts[(world["wp2"].pk, world["partner"].pk)] == (Decimal("20.00"), Decimal("4.50"))
    rows = {r.partner.short_name: r for r in budget_status(project=world["project"])}
    assert rows["P2"].actual_total == Decimal("1200.00")
    assert rows["COORD"].actual_total == Decimal("0")


def test_the_report_locks_only_once_every_late_item_is_justified(world):
    report, pm = world["report"], world["coord_pm"]
    items = svc.late_items(report)
    assert [i.code for i in items] == ["D1.1", "D2.1", "MS1"]
    with pytest.raises(ValidationError) as excinfo:
        svc.report_lock(actor=pm, report=report)
    assert "D1.1, D2.1, MS1" in excinfo.value.messages[0]
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    svc.late_justification_set(actor=pm, report=report, deliverable=world["d11"], text="Partner change")
    svc.late_justification_set(
        actor=world["partner_pm"], report=report, deliverable=world["d21"], text="Trainers hired late"
    )
    with pytest.raises(PermissionDenied):
        svc.late_justification_set(
            actor=world["partner_pm"], report=report, deliverable=world["d11"], text="x"
        )
    with pytest.raises(ValidationError):
        svc.late_justification_set(
            actor=pm, report=report, milestone=world["project"].milestones.get(), text=" "
        )
    svc.late_justification_set(
        actor=pm, report=report, milestone=world["project"].milestones.get(), text="Kick-off moved"
    )
    svc.wp_progress_set(
        actor=pm, report=report, work_package=world["wp1"], achievement="partly", text="Handbook drafted"
    )
    report = svc.report_lock(actor=pm, report=report)
    assert (report.status, report.locked_on) == (ReportStatus.LOCKED, timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        add_line(world, number="F-late")  # locked: nothing changes any more
    assert "RP1" in excinfo.value.messages[0]
    with pytest.raises(PermissionDenied):
        svc.report_submit(actor=world["partner_pm"], report=report)
    report = svc.report_submit(actor=pm, report=report)
    with pytest.raises(PermissionDenied):
        svc.report_accept(actor=world["auditor"], report=report)
    report = svc.report_reopen(actor=world["official"], report=report, reason="Add the invoices of WP2")
    assert (report.status, report.reopen_reason) == (ReportStatus.DRAFT, "Add the invoices of WP2")
    report = svc.report_submit(actor=pm, report=svc.report_lock(actor=pm, report=report))
    report = svc.report_accept(actor=world["official"], report=report)
    assert report.status == ReportStatus.ACCEPTED
    actions = list(
        AuditEvent.objects.filter(action__startswith="projects.report.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "projects.report.lock", "projects.report.submit", "projects.report.reopen",
        "projects.report.lock", "projects.report.submit", "projects.report.accept",
    ]  # fmt: skip


def test_delivered_late_still_needs_a_justification_and_on_time_does_not(world):
    report = world["report"]
    d11 = world["d11"]
    Deliverable.objects.filter(pk=d11.pk).update(
        status="accepted", submitted_on=d11.due_date, accepted_on=d11.due_date
    )
    Deliverable.objects.filter(pk=world["d21"].pk).update(
        status="submitted", submitted_on=world["d21"].due_date + datetime.timedelta(days=3)
    )
    assert [i.code for i in svc.late_items(report)] == ["D2.1", "MS1"]
    with pytest.raises(ValidationError) as excinfo:
        svc.late_justification_set(actor=None, report=report, deliverable=d11, text="not needed")
    assert "deliverable" in excinfo.value.message_dict


def test_wp_progress_only_for_wps_running_in_the_period(world):
    project = world["project"]
    from projects.services.workplan import work_package_create

    late_wp = work_package_create(
        actor=None, project=project, title="Later", lead=world["coord"], start_month=20, end_month=30
    )
    with pytest.raises(ValidationError) as excinfo:
        svc.wp_progress_set(
            actor=None, report=world["report"], work_package=late_wp, achievement="fully", text="x"
        )
    assert "RP1" in excinfo.value.message_dict["work_package"][0]
