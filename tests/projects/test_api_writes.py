"""The projects API's writes: a project run from the API alone (create, partners, periods, budget,
work plan, milestones, effort, progress, justifications), errors that name the field and the rule in
Italian (English on request), and who may write what as a matrix in which a denied call changes nothing."""

from decimal import Decimal

import pytest

from portal.choices import Role
from portal.models import AuditEvent, Organisation
from projects.models import (
    ActualEffort,
    BudgetLine,
    Deliverable,
    LateJustification,
    Milestone,
    Partner,
    PlannedEffort,
    Project,
    ReportingPeriod,
    Task,
    WorkPackage,
    WorkPackageProgress,
)
from tests.factories import OrganisationFactory, make_user
from tests.projects.conftest import ROLES
from tests.projects.factories import (
    ForeignBodyFactory,
    category,
    dtype,
    level,
    manager_of,
    programme,
)
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_project_run_from_the_api_alone():
    programme()
    torino = OrganisationFactory(name="Comune di Torino")
    nice = ForeignBodyFactory(name="Ville de Nice")
    api = api_client_for(manager_of(torino))

    created = api.post(
        "/api/v1/projects/",
        {
            "acronym": "DA4LP",
            "title": "Digital Academy for Local Police",
            "programme": "horizon-europe",
            "organisation": torino.pk,
            "short_name": "TORINO",
            "start_date": "2025-01-01",
            "duration_months": 36,
            "total_eligible_cost": "100000.00",
            "eu_contribution": "80000.00",
            "funding_rate": "80.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["end_date"] == "2027-12-31"
    torino_partner = created.json()["partners"][0]["id"]
    nice_partner = api.post(
        "/api/v1/projects/DA4LP/partners/",
        {"organisation": nice.pk, "role": "beneficiary", "short_name": "NICE"},
        format="json",
    ).json()["id"]
    rp1 = api.post("/api/v1/projects/DA4LP/periods/", {"start_month": 1, "end_month": 18}, format="json")
    assert rp1.status_code == 201
    assert rp1.json()["code"] == "RP1"
    assert rp1.json()["report_due_date"] == "2026-08-29"

    project = Project.objects.get(acronym="DA4LP")
    period = ReportingPeriod.objects.get(project=project, number=1)
    staff, travel = category(project, "A"), category(project, "C.1")
    lines = [
        {"partner": torino_partner, "category": staff.pk, "period": period.pk, "amount": "60000.00"},
        {"partner": nice_partner, "category": travel.pk, "period": period.pk, "amount": "30000.00"},
    ]
    preview = api.post("/api/v1/projects/DA4LP/budget/", {"lines": lines, "preview": True}, format="json")
    assert preview.status_code == 200
    assert preview.json()["difference"] == "10000.00"
    assert preview.json()["written"] is False
    short = api.post("/api/v1/projects/DA4LP/budget/", {"lines": lines}, format="json")
    assert short.status_code == 400
    assert short.json()["budget"] == [
        "I budget dei partner sommano € 90.000,00: € 10.000,00 in meno del costo totale ammissibile "
        "del progetto (€ 100.000,00)."
    ]
    assert BudgetLine.objects.count() == 0
    lines[1]["amount"] = "40000.00"
    done = api.post("/api/v1/projects/DA4LP/budget/", {"lines": lines}, format="json")
    assert done.status_code == 200
    assert done.json()["balanced"] is True
    assert len(api.get("/api/v1/projects/DA4LP/budget/").json()) == 2

    wp = api.post(
        "/api/v1/projects/DA4LP/work-packages/",
        {"title": "Management", "lead": torino_partner, "start_month": 1, "end_month": 36},
        format="json",
    )
    assert wp.status_code == 201
    assert wp.json()["code"] == "WP1"
    wp_id = wp.json()["id"]
    task = api.post(
        f"/api/v1/work-packages/{wp_id}/tasks/",
        {
            "title": "Coordination",
            "leader": torino_partner,
            "participants": [nice_partner],
            "start_month": 1,
            "end_month": 36,
        },
        format="json",
    )
    assert task.status_code == 201
    assert task.json()["code"] == "T1.1"
    assert task.json()["participants"] == [nice_partner]
    effort = api.post(
        f"/api/v1/work-packages/{wp_id}/planned-effort/",
        {"partner": nice_partner, "person_months": "6.50"},
        format="json",
    )
    assert effort.json() == {"work_package": "WP1", "partner": nice_partner, "person_months": "6.50"}
    deliverable = api.post(
        f"/api/v1/work-packages/{wp_id}/deliverables/",
        {
            "title": "Handbook",
            "lead": torino_partner,
            "type": dtype(project).pk,
            "dissemination": level(project, "PU").pk,
            "due_month": 3,
        },
        format="json",
    )
    assert deliverable.status_code == 201
    assert deliverable.json()["code"] == "D1.1"
    assert deliverable.json()["due_date"] == "2025-03-31"
    moved = api.patch(
        f"/api/v1/deliverables/{deliverable.json()['id']}/",
        {"due_month": 4, "title": "Handbook v2"},
        format="json",
    )
    assert moved.json()["due_date"] == "2025-04-30"
    assert moved.json()["title"] == "Handbook v2"
    milestone = api.post(
        "/api/v1/projects/DA4LP/milestones/",
        {"title": "Kick-off", "due_month": 1, "work_packages": [wp_id], "means_of_verification": "Minutes"},
        format="json",
    )
    assert milestone.status_code == 201
    achieved = api.post(
        f"/api/v1/milestones/{milestone.json()['id']}/achieve/", {"achieved_on": "2025-01-20"}, format="json"
    )
    assert achieved.json()["achieved_on"] == "2025-01-20"
    shrunk = api.patch(f"/api/v1/work-packages/{wp_id}/", {"end_month": 2}, format="json")
    assert shrunk.status_code == 400
    assert "end_month" in shrunk.json()
    assert WorkPackage.objects.get(pk=wp_id).end_month == 36

    report = period.report
    assert (
        api.post(
            f"/api/v1/periodic-reports/{report.pk}/actual-effort/",
            {"partner": torino_partner, "work_package": wp_id, "person_months": "3.25"},
            format="json",
        ).json()["person_months"]
        == "3.25"
    )
    progress = api.post(
        f"/api/v1/periodic-reports/{report.pk}/progress/",
        {"work_package": wp_id, "achievement": "partly", "text": "Handbook late, kick-off held."},
        format="json",
    )
    assert progress.status_code == 200, progress.content
    locked = api.post(f"/api/v1/periodic-reports/{report.pk}/lock/", {}, format="json")
    assert locked.status_code == 400
    assert "D1.1" in locked.json()["non_field_errors"][0]  # late and not yet justified
    justified = api.post(
        f"/api/v1/periodic-reports/{report.pk}/late-justifications/",
        {"deliverable": deliverable.json()["id"], "text": "The police training moved to the autumn."},
        format="json",
    )
    assert justified.json() == {"item": "D1.1", "text": "The police training moved to the autumn."}
    assert api.post(f"/api/v1/periodic-reports/{report.pk}/lock/", {}, format="json").status_code == 200

    updated = api.patch("/api/v1/projects/DA4LP/", {"status": "running", "title": "DA4LP"}, format="json")
    assert updated.json()["status"] == "running"
    refused = api.patch("/api/v1/projects/DA4LP/", {"total_eligible_cost": "99999.99"}, format="json")
    assert refused.status_code == 400
    assert "total_eligible_cost" in refused.json()
    assert Project.objects.get(pk=project.pk).total_eligible_cost == Decimal("100000.00")


def _writes(w):
    """(name, method, url, body) of each write endpoint, on the world's project."""
    p, wp1, wp2 = w["project"], w["wp1"], w["wp2"]
    coord, partner = w["coordinator"].pk, w["partner"].pk
    report = w["report"].pk
    period = p.periods.get(number=1).pk
    return [
        ("project_update", "patch", "/api/v1/projects/DA4LP/", {"title": "Changed"}),
        (
            "partner_add",
            "post",
            "/api/v1/projects/DA4LP/partners/",
            {"organisation": ForeignBodyFactory().pk, "role": "beneficiary", "short_name": "NEW"},
        ),
        ("partner_remove", "delete", f"/api/v1/project-partners/{partner}/", None),
        (
            "foreign_partner",
            "post",
            "/api/v1/projects/DA4LP/foreign-partners/",
            {
                "name": "Ville de Liège",
                "country": "BE",
                "pic": "912345678",
                "role": "beneficiary",
                "short_name": "LIEGE",
            },
        ),
        ("period_add", "post", "/api/v1/projects/DA4LP/periods/", {"start_month": 31, "end_month": 36}),
        (
            "wp_add",
            "post",
            "/api/v1/projects/DA4LP/work-packages/",
            {"title": "New", "lead": coord, "start_month": 1, "end_month": 3},
        ),
        ("wp_update", "patch", f"/api/v1/work-packages/{wp1.pk}/", {"title": "Changed"}),
        (
            "task_add",
            "post",
            f"/api/v1/work-packages/{wp1.pk}/tasks/",
            {"title": "New", "leader": coord, "start_month": 1, "end_month": 2},
        ),
        (
            "effort_plan",
            "post",
            f"/api/v1/work-packages/{wp2.pk}/planned-effort/",
            {"partner": partner, "person_months": "3.00"},
        ),
        (
            "deliverable_add",
            "post",
            f"/api/v1/work-packages/{wp1.pk}/deliverables/",
            {
                "title": "New",
                "lead": coord,
                "type": dtype(p).pk,
                "dissemination": level(p).pk,
                "due_month": 3,
            },
        ),
        ("deliverable_update", "patch", f"/api/v1/deliverables/{w['d11'].pk}/", {"title": "Changed"}),
        ("milestone_add", "post", "/api/v1/projects/DA4LP/milestones/", {"title": "New", "due_month": 3}),
        (
            "milestone_achieve",
            "post",
            f"/api/v1/milestones/{w['milestone'].pk}/achieve/",
            {"achieved_on": "2025-02-01"},
        ),
        (
            "partner_budget",
            "post",
            "/api/v1/projects/DA4LP/budget/",
            {
                "partner": partner,
                "lines": [
                    {"partner": partner, "category": category(p, "A").pk, "period": period, "amount": "0.00"}
                ],
            },
        ),
        (
            "actual_effort",
            "post",
            f"/api/v1/periodic-reports/{report}/actual-effort/",
            {"partner": partner, "work_package": wp2.pk, "person_months": "1.00"},
        ),
        (
            "progress",
            "post",
            f"/api/v1/periodic-reports/{report}/progress/",
            {"work_package": wp1.pk, "achievement": "fully", "text": "Done."},
        ),
        (
            "justify",
            "post",
            f"/api/v1/periodic-reports/{report}/late-justifications/",
            {"deliverable": w["d11"].pk, "text": "Late because."},
        ),
    ]


def _state():
    """Everything a write could change, and the audit trail."""
    models = [
        Organisation,
        Project,
        Partner,
        ReportingPeriod,
        WorkPackage,
        Task,
        PlannedEffort,
        Deliverable,
        Milestone,
        BudgetLine,
        ActualEffort,
        WorkPackageProgress,
        LateJustification,
    ]
    return (
        AuditEvent.objects.count(),
        [m.objects.count() for m in models],
        list(Project.objects.values_list("title", flat=True)),
        list(WorkPackage.objects.values_list("title", flat=True)),
        list(Deliverable.objects.values_list("title", flat=True)),
        list(Milestone.objects.values_list("achieved_on", flat=True)),
        list(PlannedEffort.objects.values_list("person_months", flat=True)),
    )


# Who may write what: the coordinator's project manager everything; the partner's project manager its own
# partner's budget and actual effort; the others nothing (404 where they cannot even read the project).
ALLOWED = {
    "coord_pm": {
        "project_update",
        "partner_add",
        "foreign_partner",
        "partner_remove",
        "period_add",
        "wp_add",
        "wp_update",
        "task_add",
        "effort_plan",
        "deliverable_add",
        "deliverable_update",
        "milestone_add",
        "milestone_achieve",
        "partner_budget",
        "actual_effort",
        "progress",
        "justify",
    },
    "partner_pm": {"partner_budget", "actual_effort"},
}
DENIED_STATUS = {"anonymous": {401, 403}, "other_pm": {404}}


@pytest.mark.parametrize("role", ROLES)
def test_write_permission_matrix(run_world, role):
    api = api_client_for(run_world["users"][role])
    allowed = ALLOWED.get(role, set())
    for name, method, url, body in _writes(run_world):
        if role == "coord_pm" and name == "partner_remove":
            # partner 2 leads WP2: first a partner with nothing recorded
            extra = Partner.objects.create(
                project=run_world["project"],
                organisation=ForeignBodyFactory(),
                number=9,
                short_name="EMPTY",
                role="beneficiary",
            )
            url = f"/api/v1/project-partners/{extra.pk}/"
        before = _state()
        response = getattr(api, method)(url, body, format="json")
        if name in allowed:
            assert response.status_code in (200, 201, 204), (name, response.status_code, response.content)
            continue
        expected = DENIED_STATUS.get(role, {403})
        assert response.status_code in expected, (name, response.status_code, response.content)
        assert _state() == before, name  # a denied call changes nothing


@pytest.mark.parametrize(
    ("url", "body", "field", "italian", "english"),
    [
        (
            "/api/v1/projects/DA4LP/work-packages/",
            {"title": "Late", "start_month": 30, "end_month": 40},
            "end_month",
            "Il mese 40 è fuori dal progetto, che va dal mese 1 al mese 36.",
            "Month 40 is outside the project, which runs from month 1 to 36.",
        ),
        (
            "/api/v1/projects/DA4LP/periods/",
            {"start_month": 10, "end_month": 20},
            "start_month",
            "RP1",
            "The period overlaps RP1 (months 1-18).",
        ),
    ],
)
def test_errors_name_the_field_and_the_rule_in_italian_or_english(
    run_world, url, body, field, italian, english
):
    api = api_client_for(run_world["users"]["coord_pm"])
    body = {**body, "lead": run_world["coordinator"].pk}
    before = _state()
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert italian in response.json()[field][0]
    assert api.post(url, body, format="json", **EN).json()[field] == [english]
    assert _state() == before


def test_a_deliverable_due_outside_its_work_package_or_of_another_programme_is_refused(run_world):
    api = api_client_for(run_world["users"]["coord_pm"])
    p, wp1 = run_world["project"], run_world["wp1"]
    h2020 = programme("h2020").dissemination_levels.get(code="PU")
    body = {
        "title": "Out",
        "lead": run_world["coordinator"].pk,
        "type": dtype(p).pk,
        "dissemination": h2020.pk,
        "due_month": 20,
    }
    response = api.post(f"/api/v1/work-packages/{wp1.pk}/deliverables/", body, format="json", **EN)
    assert response.status_code == 400
    assert "dissemination" in response.json()
    body["dissemination"] = level(p, "PU").pk
    response = api.post(f"/api/v1/work-packages/{wp1.pk}/deliverables/", body, format="json", **EN)
    assert response.json()["due_month"] == ["Month 20 is outside WP1, which runs from month 1 to 12."]
    assert not Deliverable.objects.filter(title="Out").exists()


def test_schema_lists_the_write_endpoints():
    schema = api_client_for(make_user(Role.REGIONAL_OFFICIAL)).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path, method in [
        ("/api/v1/projects/", "post"),
        ("/api/v1/projects/{acronym}/", "patch"),
        ("/api/v1/projects/{acronym}/budget/", "post"),
        ("/api/v1/work-packages/{id}/deliverables/", "post"),
        ("/api/v1/milestones/{id}/achieve/", "post"),
        ("/api/v1/periodic-reports/{id}/late-justifications/", "post"),
    ]:
        assert method in paths[path], path
