"""The consortium after set-up: a partner's role changed (one coordinator at most, the one there is named),
a project recorded by a city that is only a beneficiary of a project coordinated abroad, and the budget
page of a project manager whose organisations are two partners of the same project."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.choices import Role
from portal.models import AuditEvent, Organisation
from projects.models import BudgetLine, Partner, Project, WorkPackage
from projects.services.budget import BudgetEntry, budget_set
from tests.factories import OrganisationFactory, make_user
from tests.projects.conftest import ROLES
from tests.projects.factories import category, make_project, manager_of, programme
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _partners(project):
    return list(Partner.objects.filter(project=project).order_by("number").values_list("short_name", "role"))


# --- 2. A partner's role -------------------------------------------------------------------------------
def test_a_second_coordinator_is_refused_naming_the_one_there_is(run_world):
    project, partner = run_world["project"], run_world["partner"]
    api = api_client_for(run_world["users"]["coord_pm"])
    url = f"/api/v1/project-partners/{partner.pk}/"
    before, events = _partners(project), AuditEvent.objects.count()

    refused = api.patch(url, {"role": "coordinator"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["role"] == ["Il progetto ha già un coordinatore: 1 COORD."]
    assert api.patch(url, {"role": "coordinator"}, format="json", **EN).json()["role"] == [
        "The project already has a coordinator: 1 COORD."
    ]
    assert (_partners(project), AuditEvent.objects.count()) == (before, events)

    coordinator = run_world["coordinator"]
    stepped_down = api.patch(
        f"/api/v1/project-partners/{coordinator.pk}/", {"role": "beneficiary"}, format="json"
    )
    assert stepped_down.status_code == 200, stepped_down.content
    done = api.patch(url, {"role": "coordinator", "short_name": "NICE"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["role"] == "coordinator"
    assert _partners(project) == [("COORD", "beneficiary"), ("NICE", "coordinator")]
    event = AuditEvent.objects.filter(action="projects.partner.updated").latest("pk")
    assert event.before == {"role": "beneficiary", "short_name": "P2"}
    assert event.after["role"] == "coordinator"


ROLE_CHANGE_STATUS = {
    "anonymous": {401, 403},
    "other_pm": {404},
    "coord_applicant": {403},
    "partner_pm": {403},
    "coord_pm": {200},
    "official": {403},
    "auditor": {403},
}


@pytest.mark.parametrize("role", ROLES)
def test_who_changes_a_partners_role_in_the_api(run_world, role):
    api = api_client_for(run_world["users"][role])
    before, events = _partners(run_world["project"]), AuditEvent.objects.count()
    response = api.patch(
        f"/api/v1/project-partners/{run_world['partner'].pk}/", {"role": "associated"}, format="json"
    )
    assert response.status_code in ROLE_CHANGE_STATUS[role], response.content
    if role != "coord_pm":
        assert (_partners(run_world["project"]), AuditEvent.objects.count()) == (before, events)


PAGE_STATUS = {"other_pm": 403, "coord_applicant": 403, "partner_pm": 403, "official": 403, "auditor": 403}


@pytest.mark.parametrize("role", ROLES)
def test_who_changes_a_partners_role_on_the_page(client, run_world, role):
    user = run_world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse("projects:partner_edit", args=["DA4LP", run_world["partner"].pk])
    before = _partners(run_world["project"])
    page = client.get(url)
    posted = client.post(url, {"role": "coordinator", "short_name": "NICE"})
    if role == "anonymous":
        assert page.status_code == posted.status_code == 302
    elif role == "coord_pm":
        assert page.status_code == 200
        assert "Ruolo" in _text(page)
        assert posted.status_code == 400
        assert "Il progetto ha già un coordinatore: 1 COORD." in _text(posted)
    else:
        assert page.status_code == posted.status_code == PAGE_STATUS[role]
    assert _partners(run_world["project"]) == before


# --- 3. A city that is only a beneficiary records the project -------------------------------------
def test_a_beneficiary_city_records_a_project_coordinated_abroad_and_keeps_its_work_plan(client):
    programme()
    trento = OrganisationFactory(name="Comune di Trento")
    pm = manager_of(trento)
    client.force_login(pm)
    created = client.post(
        reverse("projects:project_create"),
        {
            "organisation": trento.pk,
            "role": "beneficiary",
            "short_name": "TRENTO",
            "programme": programme().pk,
            "acronym": "PreCrisis",
            "title": "PreCrisis",
            "start_date": "2025-01-01",
            "duration_months": "24",
            "status": "running",
            "total_eligible_cost": "0,00",
            "eu_contribution": "0,00",
            "funding_rate": "100",
        },
    )
    assert created.status_code == 302, _text(created)
    project = Project.objects.get(acronym="PreCrisis")
    assert _partners(project) == [("TRENTO", "beneficiary")]

    added = client.post(
        reverse("projects:partners", args=["PreCrisis"]),
        {
            "action": "add_foreign",
            "foreign-name": "Saher (Europe) OÜ",
            "foreign-country": "EE",
            "foreign-pic": "912345678",
            "foreign-role": "coordinator",
            "foreign-short_name": "SAHER",
        },
    )
    assert added.status_code == 302, _text(added)
    assert _partners(project) == [("TRENTO", "beneficiary"), ("SAHER", "coordinator")]
    trento_partner = project.partners.get(short_name="TRENTO")
    wp = client.post(
        reverse("projects:work_plan", args=["PreCrisis"]),
        {
            "action": "wp",
            "wp-title": "Video analytics",
            "wp-lead": trento_partner.pk,
            "wp-start_month": "1",
            "wp-end_month": "24",
        },
    )
    assert wp.status_code == 302
    assert WorkPackage.objects.filter(project=project, title="Video analytics").exists()

    # Once the coordinator has a project manager of its own in the portal, the work plan is theirs.
    saher = Organisation.objects.get(pic="912345678")
    saher_pm = manager_of(saher)
    assert client.get(reverse("projects:work_plan", args=["PreCrisis"])).status_code == 403
    assert client.get(reverse("projects:budget", args=["PreCrisis"])).status_code == 200
    client.force_login(saher_pm)
    assert client.get(reverse("projects:work_plan", args=["PreCrisis"])).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", {401, 403}), ("applicant", {403}), ("other_pm", {403}), ("pm", {201})],
)
def test_who_records_a_project_as_a_beneficiary_in_the_api(who, status):
    programme()
    trento = OrganisationFactory(name="Comune di Trento")
    users = {
        "anonymous": None,
        "applicant": make_user(Role.APPLICANT, trento),
        "other_pm": manager_of(OrganisationFactory(name="Comune di Cuneo")),
        "pm": manager_of(trento),
    }
    response = api_client_for(users[who]).post(
        "/api/v1/projects/",
        {
            "acronym": "PreCrisis",
            "title": "PreCrisis",
            "programme": "horizon-europe",
            "organisation": trento.pk,
            "role": "beneficiary",
            "short_name": "TRENTO",
            "start_date": "2025-01-01",
            "duration_months": 24,
        },
        format="json",
    )
    assert response.status_code in status, response.content
    if who != "pm":
        assert not Project.objects.exists()
        return
    assert [(p["short_name"], p["role"]) for p in response.json()["partners"]] == [("TRENTO", "beneficiary")]
    # no coordinator yet: Trento's manager keeps the work plan and adds the foreign coordinator
    api = api_client_for(users["pm"])
    foreign = api.post(
        "/api/v1/projects/PreCrisis/foreign-partners/",
        {
            "name": "Saher (Europe) OÜ",
            "country": "EE",
            "pic": "912345678",
            "role": "coordinator",
            "short_name": "SAHER",
        },
        format="json",
    )
    assert foreign.status_code == 201, foreign.content


# --- 4. A manager of two partners of one project ----------------------------------------------------
def test_a_manager_of_two_partner_organisations_edits_both_budgets_on_one_page(client):
    project = make_project(partners=2, total="100000.00", periods=((1, 18),))
    coord, p2, p3 = project.partners.order_by("number")
    rp1 = project.periods.get()
    staff = category(project, "A")
    budget_set(
        actor=None,
        project=project,
        entries=[
            BudgetEntry(coord, staff, rp1, Decimal("50000.00")),
            BudgetEntry(p2, staff, rp1, Decimal("30000.00")),
            BudgetEntry(p3, staff, rp1, Decimal("20000.00")),
        ],
    )
    manager = manager_of(p2.organisation)
    manager.memberships.create(organisation=p3.organisation, role=Role.EU_PROJECT_MANAGER)
    client.force_login(manager)
    url = reverse("projects:budget", args=[project.acronym])

    page = client.get(url)
    assert page.status_code == 200  # it was a 403: "one partner at a time"
    text = _text(page)
    assert f"2. P2 · {p2.organisation.name}" in text
    assert f"3. P3 · {p3.organisation.name}" in text
    assert "1. COORD" not in text
    assert f'name="b_{coord.pk}_{staff.pk}_{rp1.pk}"' not in page.content.decode()

    fields = {f"b_{p.pk}_{staff.pk}_{rp1.pk}": "" for p in (p2, p3)}
    moved = {
        **fields,
        f"b_{p2.pk}_{staff.pk}_{rp1.pk}": "10.000,00",
        f"b_{p3.pk}_{staff.pk}_{rp1.pk}": "40.000,00",
    }
    saved = client.post(url, {**moved, "action": "save"})
    assert saved.status_code == 302, _text(saved)
    amounts = dict(
        BudgetLine.objects.filter(partner__project=project).values_list("partner__number", "amount")
    )
    assert amounts == {1: Decimal("50000.00"), 2: Decimal("10000.00"), 3: Decimal("40000.00")}

    off = client.post(url, {**moved, f"b_{p3.pk}_{staff.pk}_{rp1.pk}": "39.000,00", "action": "save"})
    assert off.status_code == 400
    assert "€ 1.000,00 in meno" in _text(off)
    assert BudgetLine.objects.get(partner=p3).amount == Decimal("40000.00")
