"""Running a project from the browser: create it, add partners, periods, the budget (which says by how
much it does not add up), work packages, tasks, effort, deliverables and milestones; change them. Who
may open and post each page, as a matrix in which a refused post changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from projects.models import (
    BudgetLine,
    Deliverable,
    Milestone,
    Partner,
    PlannedEffort,
    Project,
    ReportingPeriod,
    Task,
    WorkPackage,
)
from tests.factories import OrganisationFactory
from tests.projects.conftest import ROLES
from tests.projects.factories import (
    ForeignBodyFactory,
    category,
    dtype,
    level,
    manager_of,
    programme,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_project_manager_sets_up_a_project_in_the_browser(client):
    programme()
    torino = OrganisationFactory(name="Comune di Torino")
    nice = ForeignBodyFactory(name="Ville de Nice")
    pm = manager_of(torino)
    client.force_login(pm)
    assert "Nuovo progetto UE" in _text(client.get(reverse("projects:project_list")))

    response = client.post(
        reverse("projects:project_create"),
        {
            "organisation": torino.pk,
            "short_name": "TORINO",
            "programme": programme().pk,
            "acronym": "DA4LP",
            "title": "Digital Academy for Local Police",
            "start_date": "2025-01-01",
            "duration_months": "36",
            "status": "running",
            "total_eligible_cost": "100.000,00",
            "eu_contribution": "80.000,00",
            "funding_rate": "80",
        },
    )
    assert response.status_code == 302, _text(response)
    project = Project.objects.get(acronym="DA4LP")
    assert project.total_eligible_cost == Decimal("100000.00")
    assert project.partners.get().short_name == "TORINO"

    partners_url = reverse("projects:partners", args=["DA4LP"])
    added = client.post(
        partners_url, {"action": "add", "organisation": nice.pk, "role": "beneficiary", "short_name": "NICE"}
    )
    assert added.status_code == 302
    nice_partner = project.partners.get(short_name="NICE")

    plan_url = reverse("projects:work_plan", args=["DA4LP"])
    assert (
        client.post(
            plan_url, {"action": "period", "period-start_month": 1, "period-end_month": 36}
        ).status_code
        == 302
    )
    coordinator = project.partners.get(number=1)
    assert (
        client.post(
            plan_url,
            {
                "action": "wp",
                "wp-title": "Management",
                "wp-lead": coordinator.pk,
                "wp-start_month": 1,
                "wp-end_month": 12,
            },
        ).status_code
        == 302
    )
    wp = WorkPackage.objects.get(project=project)
    assert (
        client.post(
            plan_url,
            {
                "action": "task",
                "task-work_package": wp.pk,
                "task-title": "Coordination",
                "task-leader": coordinator.pk,
                "task-participants": [nice_partner.pk],
                "task-start_month": 1,
                "task-end_month": 12,
            },
        ).status_code
        == 302
    )
    assert list(Task.objects.get().participants.all()) == [nice_partner]
    assert (
        client.post(
            plan_url,
            {
                "action": "effort",
                "effort-work_package": wp.pk,
                "effort-partner": nice_partner.pk,
                "effort-person_months": "4.5",
            },
        ).status_code
        == 302
    )
    assert PlannedEffort.objects.get().person_months == Decimal("4.50")
    assert (
        client.post(
            plan_url,
            {
                "action": "deliverable",
                "deliverable-work_package": wp.pk,
                "deliverable-title": "Handbook",
                "deliverable-lead": coordinator.pk,
                "deliverable-type": dtype(project).pk,
                "deliverable-dissemination": level(project, "PU").pk,
                "deliverable-due_month": 6,
            },
        ).status_code
        == 302
    )
    deliverable = Deliverable.objects.get()
    assert deliverable.code == "D1.1"
    assert (
        client.post(
            plan_url,
            {
                "action": "milestone",
                "milestone-title": "Kick-off",
                "milestone-due_month": 1,
                "milestone-work_packages": [wp.pk],
            },
        ).status_code
        == 302
    )
    milestone = Milestone.objects.get()
    assert (
        client.post(
            plan_url,
            {"action": "achieved", "achieved-milestone": milestone.pk, "achieved-achieved_on": "2025-01-20"},
        ).status_code
        == 302
    )
    assert Milestone.objects.get().achieved_on.isoformat() == "2025-01-20"

    # The budget says by how much it does not add up, and is refused until it does.
    budget_url = reverse("projects:budget", args=["DA4LP"])
    period = ReportingPeriod.objects.get(project=project)
    staff, travel = category(project, "A"), category(project, "C.1")
    cells = {
        f"b_{coordinator.pk}_{staff.pk}_{period.pk}": "60.000,00",
        f"b_{nice_partner.pk}_{travel.pk}_{period.pk}": "30.000",
    }
    preview = client.post(budget_url, {**cells, "action": "preview"})
    assert preview.status_code == 200
    assert "la differenza dal costo totale ammissibile (€ 100.000,00) è € 10.000,00" in _text(preview)
    refused = client.post(budget_url, {**cells, "action": "save"})
    assert refused.status_code == 400
    assert "€ 10.000,00 in meno del costo totale ammissibile" in _text(refused)
    assert BudgetLine.objects.count() == 0
    cells[f"b_{nice_partner.pk}_{travel.pk}_{period.pk}"] = "40.000,00"
    assert client.post(budget_url, {**cells, "action": "save"}).status_code == 302
    assert sorted(BudgetLine.objects.values_list("amount", flat=True)) == [
        Decimal("40000.00"),
        Decimal("60000.00"),
    ]
    assert 'value="60.000,00"' in client.get(budget_url).content.decode()

    # Changes: a work package that would cut off its deliverable is refused with the reason.
    wp_url = reverse("projects:work_package_edit", args=["DA4LP", 1])
    shrunk = client.post(
        wp_url, {"title": "Management", "lead": coordinator.pk, "start_month": 1, "end_month": 3}
    )
    assert shrunk.status_code == 400
    assert "WP1 non può finire prima del mese 12: in quel mese è previsto T1.1." in _text(shrunk)
    assert WorkPackage.objects.get().end_month == 12
    edit_url = reverse("projects:deliverable_edit", args=["DA4LP", deliverable.pk])
    assert (
        client.post(
            edit_url,
            {
                "title": "Handbook v2",
                "lead": coordinator.pk,
                "type": dtype(project).pk,
                "dissemination": level(project, "SEN").pk,
                "due_month": 7,
            },
        ).status_code
        == 302
    )
    changed = Deliverable.objects.get()
    assert (changed.title, changed.due_month, changed.dissemination.code) == ("Handbook v2", 7, "SEN")
    project_url = reverse("projects:project_edit", args=["DA4LP"])
    assert client.get(project_url).status_code == 200
    bad_total = client.post(
        project_url,
        {
            "acronym": "DA4LP",
            "title": "DA4LP",
            "start_date": "2025-01-01",
            "duration_months": 36,
            "status": "running",
            "total_eligible_cost": "99.000,00",
            "eu_contribution": "80.000,00",
            "funding_rate": "80",
        },
    )
    assert bad_total.status_code == 400
    assert Project.objects.get().total_eligible_cost == Decimal("100000.00")
    page = _text(client.get(reverse("projects:project_detail", args=["DA4LP"])))
    assert "Piano di lavoro" in page


def _pages(w):
    coord = w["project"].partners.get(number=1).pk
    return {
        "edit": (
            reverse("projects:project_edit", args=["DA4LP"]),
            {
                "acronym": "DA4LP",
                "title": "Changed",
                "start_date": "2025-01-01",
                "duration_months": 36,
                "status": "running",
                "total_eligible_cost": "0",
                "eu_contribution": "0",
                "funding_rate": "100",
            },
        ),
        "partners": (
            reverse("projects:partners", args=["DA4LP"]),
            {
                "action": "add",
                "organisation": ForeignBodyFactory().pk,
                "role": "beneficiary",
                "short_name": "X",
            },
        ),
        "plan": (
            reverse("projects:work_plan", args=["DA4LP"]),
            {"action": "wp", "wp-title": "New", "wp-lead": coord, "wp-start_month": 1, "wp-end_month": 2},
        ),
        "wp": (
            reverse("projects:work_package_edit", args=["DA4LP", 1]),
            {"title": "Changed", "lead": coord, "start_month": 1, "end_month": 12},
        ),
        "deliverable": (
            reverse("projects:deliverable_edit", args=["DA4LP", w["d11"].pk]),
            {
                "title": "Changed",
                "lead": coord,
                "type": dtype(w["project"]).pk,
                "dissemination": level(w["project"]).pk,
                "due_month": 6,
            },
        ),
        "budget": (reverse("projects:budget", args=["DA4LP"]), {"action": "save"}),
    }


def _state():
    return (
        AuditEvent.objects.count(),
        list(Project.objects.values_list("title", flat=True)),
        Partner.objects.count(),
        list(WorkPackage.objects.order_by("pk").values_list("title", flat=True)),
        list(Deliverable.objects.order_by("pk").values_list("title", flat=True)),
    )


ALLOWED = {"coord_pm": {"edit", "partners", "plan", "wp", "deliverable", "budget"}, "partner_pm": {"budget"}}


@pytest.mark.parametrize("role", ROLES)
def test_manage_pages_matrix(client, run_world, role):
    if role != "anonymous":
        client.force_login(run_world["users"][role])
    allowed = ALLOWED.get(role, set())
    for name, (url, body) in _pages(run_world).items():
        before = _state()
        get = client.get(url)
        posted = client.post(url, body)
        if name in allowed:
            assert get.status_code == 200, name
            assert posted.status_code == 302, (name, _text(posted))
            continue
        expected = 302 if role == "anonymous" else 403
        assert get.status_code == expected, (name, get.status_code)
        assert posted.status_code == expected, (name, posted.status_code)
        assert _state() == before, name  # a refused post changes nothing


def test_new_project_page_is_for_project_managers_only(client, run_world):
    client.force_login(run_world["users"]["official"])
    assert client.get(reverse("projects:project_create")).status_code == 403
    client.force_login(run_world["users"]["coord_pm"])
    other_org = OrganisationFactory()
    response = client.post(
        reverse("projects:project_create"),
        {
            "organisation": other_org.pk,
            "programme": programme().pk,
            "acronym": "X1",
            "title": "X",
            "start_date": "2025-01-01",
            "duration_months": 12,
            "status": "preparation",
            "total_eligible_cost": "0",
            "eu_contribution": "0",
            "funding_rate": "100",
        },
    )
    assert response.status_code == 400  # not one of the organisations offered
    assert not Project.objects.filter(acronym="X1").exists()


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Il mese 40 è fuori dal progetto, che va dal mese 1 al mese 36."),
        (EN, "Month 40 is outside the project, which runs from month 1 to 36."),
    ],
)
def test_a_month_outside_the_project_is_refused_on_its_field(client, run_world, headers, message):
    client.force_login(run_world["users"]["coord_pm"])
    coord = run_world["project"].partners.get(number=1).pk
    before = _state()
    response = client.post(
        reverse("projects:work_plan", args=["DA4LP"]),
        {"action": "wp", "wp-title": "Late", "wp-lead": coord, "wp-start_month": 30, "wp-end_month": 40},
        **headers,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_wp-end_month"' in html
    assert 'aria-invalid="true"' in html
    assert _state() == before


def test_the_partner_manager_saves_only_its_own_budget(client, run_world):
    project, partner = run_world["project"], run_world["partner"]
    Project.objects.filter(pk=project.pk).update(total_eligible_cost=Decimal("500.00"), eu_contribution=0)
    client.force_login(run_world["users"]["partner_pm"])
    url = reverse("projects:budget", args=["DA4LP"])
    html = client.get(url).content.decode()
    coord = project.partners.get(number=1)
    assert f"b_{partner.pk}_" in html
    assert f"b_{coord.pk}_" not in html
    period = project.periods.get(number=1)
    name = f"b_{partner.pk}_{category(project, 'A').pk}_{period.pk}"
    assert client.post(url, {name: "500,00", "action": "save"}).status_code == 302
    assert BudgetLine.objects.get().partner == partner


def test_a_foreign_partner_not_yet_in_the_portal_is_registered_and_added(client, run_world):
    from portal.models import Organisation

    url = reverse("projects:partners", args=["DA4LP"])
    body = {
        "action": "add_foreign",
        "foreign-name": "Ayuntamiento de Madrid",
        "foreign-country": "ES",
        "foreign-pic": "12AB",
        "foreign-role": "beneficiary",
        "foreign-short_name": "MADRID",
    }
    client.force_login(run_world["users"]["partner_pm"])
    assert client.post(url, {**body, "foreign-pic": "999888777"}).status_code == 403
    client.force_login(run_world["users"]["coord_pm"])
    before = _state()
    refused = client.post(url, body)
    assert refused.status_code == 400
    assert "Il PIC (Participant Identification Code) è di 9 cifre." in _text(refused)
    assert _state() == before
    assert not Organisation.objects.filter(name="Ayuntamiento de Madrid").exists()
    assert client.post(url, {**body, "foreign-pic": "999888777"}).status_code == 302
    madrid = Partner.objects.get(project=run_world["project"], short_name="MADRID")
    assert (madrid.organisation.kind, madrid.organisation.country.code) == ("other", "ES")
    assert AuditEvent.objects.filter(action="organisation.created").count() == 1
