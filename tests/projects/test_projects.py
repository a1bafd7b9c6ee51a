"""Programmes' code lists, projects, partners and periods: services, rules and their messages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent, Organisation
from projects.choices import PartnerRole
from projects.models import (
    CostCategory,
    DeliverableType,
    DisseminationLevel,
    FundingProgramme,
    Partner,
    PeriodicReport,
    Project,
    ReportingPeriod,
)
from projects.services.programmes import code_lists_load
from projects.services.projects import partner_add, period_create, project_create, project_update
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import ForeignBodyFactory, make_project, manager_of, programme

pytestmark = pytest.mark.django_db


def codes(model, programme_code):
    return list(
        model.objects.filter(programme__code=programme_code).order_by("order").values_list("code", flat=True)
    )


def test_code_lists_are_data_loaded_once_and_edits_survive_a_reload():
    code_lists_load()
    assert set(FundingProgramme.objects.values_list("code", flat=True)) == {
        "h2020",
        "horizon-europe",
        "isf-police",
        "isec",
        "interreg-alcotra",
        "cerv",
        "other",
    }
    assert codes(DeliverableType, "h2020") == ["R", "DEM", "DEC", "OTHER"]
    assert codes(DisseminationLevel, "h2020") == ["PU", "CO", "CI"]
    assert codes(DeliverableType, "horizon-europe") == [
        "R", "DEM", "DEC", "DATA", "DMP", "ETHICS", "SECURITY", "OTHER",
    ]  # fmt: skip
    assert codes(DisseminationLevel, "horizon-europe") == ["PU", "SEN", "R-UE/EU-R", "C-UE/EU-C", "S-UE/EU-S"]
    assert codes(CostCategory, "horizon-europe") == ["A", "B", "C.1", "C.2", "C.3", "D", "E"]
    indirect = CostCategory.objects.get(programme__code="horizon-europe", code="E")
    assert indirect.flat_rate == Decimal("25.00")
    base = CostCategory.objects.filter(programme__code="horizon-europe", in_flat_rate_base=True)
    assert "B" not in set(base.values_list("code", flat=True))  # without subcontracting
    interreg = set(
        CostCategory.objects.filter(programme__code="interreg-alcotra").values_list("kind", flat=True)
    )
    assert {"personnel", "office", "travel", "expertise", "equipment", "infrastructure"} == interreg

    DeliverableType.objects.filter(programme__code="h2020", code="R").update(name="Report (edited)")
    DeliverableType.objects.filter(programme__code="h2020", code="OTHER").delete()
    assert code_lists_load() == 1  # only the missing entry comes back
    assert DeliverableType.objects.get(programme__code="h2020", code="R").name == "Report (edited)"


def test_project_end_date_is_derived_from_start_and_duration():
    project = make_project(start=datetime.date(2025, 2, 1), duration=36, periods=())
    assert project.end_date == datetime.date(2028, 1, 31)
    assert project.month_end(1) == datetime.date(2025, 2, 28)
    assert project.month_start(13) == datetime.date(2026, 2, 1)
    odd = make_project(start=datetime.date(2024, 1, 31), duration=1, periods=())
    assert odd.end_date == datetime.date(2024, 2, 28)


def test_project_create_by_a_manager_for_their_organisation_only_and_audited():
    torino = OrganisationFactory(name="Comune di Torino")
    manager = manager_of(torino)
    project = project_create(
        actor=manager,
        acronym="DA4LP",
        title="Digital Academy for Local Police",
        programme=programme(),
        start_date=datetime.date(2025, 3, 1),
        duration_months=36,
        organisation=torino,
        short_name="TO",
        total_eligible_cost=Decimal("500000.00"),
        eu_contribution=Decimal("450000.00"),
    )
    partner = project.partners.get()
    assert (partner.number, partner.role, partner.organisation) == (1, PartnerRole.COORDINATOR, torino)
    event = AuditEvent.objects.get(action="projects.project.created")
    assert event.actor == manager
    assert event.after["acronym"] == "DA4LP"

    other = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        project_create(
            actor=manager,
            acronym="NOTMINE",
            title="x",
            programme=programme(),
            start_date=datetime.date(2025, 1, 1),
            duration_months=12,
            organisation=other,
        )
    applicant = make_user(Role.APPLICANT, torino)
    with pytest.raises(PermissionDenied):
        project_create(
            actor=applicant,
            acronym="NOPE",
            title="x",
            programme=programme(),
            start_date=datetime.date(2025, 1, 1),
            duration_months=12,
            organisation=torino,
        )
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"duration_months": 0}, "duration_months", "1"),
        ({"duration_months": 121}, "duration_months", "120"),
        ({"eu_contribution": Decimal("2.00"), "total_eligible_cost": Decimal("1.00")}, "__all__", "UE"),
        ({"funding_rate": Decimal("101")}, "funding_rate", "100"),
        ({"total_eligible_cost": "10.001"}, "total_eligible_cost", "due decimali"),
        ({"total_eligible_cost": 0.1}, "total_eligible_cost", "euro"),
    ],
)
def test_project_fields_are_refused_with_the_rule(fields, field, fragment):
    values = {"duration_months": 12, **fields}
    with pytest.raises(ValidationError) as excinfo:
        project_create(
            actor=None,
            acronym="BAD",
            title="x",
            programme=programme(),
            start_date=datetime.date(2025, 1, 1),
            organisation=OrganisationFactory(),
            **values,
        )
    assert field in excinfo.value.message_dict
    assert fragment in " ".join(excinfo.value.message_dict[field])
    assert not Project.objects.exists()


def test_foreign_partner_needs_kind_other_country_and_pic():
    project = make_project(partners=0, periods=())
    french_without_pic = OrganisationFactory(kind=OrganisationKind.OTHER, country="FR")
    with pytest.raises(ValidationError) as excinfo:
        partner_add(
            actor=None, project=project, organisation=french_without_pic, role="beneficiary", short_name="NCE"
        )
    assert "PIC" in excinfo.value.message_dict["organisation"][0]
    nice = ForeignBodyFactory(name="Ville de Nice", country="FR", pic="999999123")
    partner = partner_add(
        actor=None, project=project, organisation=nice, role="beneficiary", short_name="NCE"
    )
    assert partner.number == 2
    assert Organisation.objects.get(pk=nice.pk).country.name  # an ISO 3166 country with its name


def test_pic_is_nine_digits_and_unique():
    with pytest.raises(ValidationError) as excinfo:
        ForeignBodyFactory.build(pic="12345").full_clean()
    assert "9" in excinfo.value.message_dict["pic"][0]
    ForeignBodyFactory(pic="123456789")
    with pytest.raises(ValidationError) as excinfo:
        ForeignBodyFactory.build(pic="123456789").full_clean()
    assert "PIC" in " ".join(excinfo.value.messages)


def test_one_coordinator_and_unique_partner_codes():
    project = make_project(partners=1, periods=())
    with pytest.raises(ValidationError) as excinfo:
        partner_add(
            actor=None, project=project, organisation=ForeignBodyFactory(), role="coordinator", short_name="X"
        )
    assert "coordinat" in excinfo.value.message_dict["role"][0].lower()
    with pytest.raises(ValidationError):
        partner_add(
            actor=None,
            project=project,
            organisation=ForeignBodyFactory(),
            role="beneficiary",
            short_name="P2",
        )
    assert Partner.objects.filter(project=project).count() == 2


def test_periods_stay_within_the_project_and_do_not_overlap():
    project = make_project(duration=24, periods=((1, 12),))
    with pytest.raises(ValidationError) as excinfo:
        period_create(actor=None, project=project, start_month=13, end_month=25)
    assert excinfo.value.message_dict["end_month"] == [
        "Il mese 25 è fuori dal progetto, che va dal mese 1 al mese 24."
    ]
    with pytest.raises(ValidationError) as excinfo:
        period_create(actor=None, project=project, start_month=12, end_month=24)
    assert "RP1" in excinfo.value.message_dict["start_month"][0]
    period = period_create(actor=None, project=project, start_month=13, end_month=24)
    assert period.code == "RP2"
    assert period.report_due_date == datetime.date(2027, 3, 1)  # 31 Dec 2026 + 60 days
    assert PeriodicReport.objects.filter(period=period, status="draft").exists()
    assert ReportingPeriod.objects.filter(project=project).count() == 2


def test_duration_cannot_cut_off_planned_periods():
    project = make_project(duration=36)
    with pytest.raises(ValidationError) as excinfo:
        project_update(actor=None, project=project, duration_months=30)
    assert "36" in excinfo.value.message_dict["duration_months"][0]
    assert Project.objects.get(pk=project.pk).duration_months == 36


def test_only_the_coordinators_manager_changes_the_project():
    coordinator = OrganisationFactory()
    project = make_project(coordinator=coordinator, partners=1)
    partner_org = project.partners.get(number=2).organisation
    for user in (
        manager_of(partner_org),
        make_user(Role.REGIONAL_OFFICIAL),
        make_user(Role.AUDITOR),
        make_user(Role.APPLICANT, coordinator),
    ):
        with pytest.raises(PermissionDenied):
            project_update(actor=user, project=project, title="Changed")
    project_update(actor=manager_of(coordinator), project=project, title="Changed")
    assert Project.objects.get(pk=project.pk).title == "Changed"
