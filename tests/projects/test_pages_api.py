"""Pages and API of the projects app, for each kind of user: what they see, what they are refused."""

import pytest
from django.urls import reverse

from portal.choices import Role
from projects.choices import DeliverableStatus as S
from projects.models import CalendarFeed, Deliverable
from projects.services import deliverables as svc
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import make_project, make_work_plan, manager_of, pdf_upload
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    torino = OrganisationFactory(name="Comune di Torino")
    project = make_project(coordinator=torino, partners=1, acronym="DA4LP")
    _wp1, _wp2, d11, d21 = make_work_plan(project)
    return {
        "project": project,
        "d11": d11,
        "d21": d21,
        "torino_pm": manager_of(torino),
        "trento_pm": manager_of(OrganisationFactory(name="Comune di Trento")),
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
    }


PAGES = ["projects:project_detail", "projects:report_detail", "projects:deliverable_detail"]


def _url(name, world):
    project = world["project"]
    if name == "projects:report_detail":
        return reverse(name, args=[project.acronym, 1])
    if name == "projects:deliverable_detail":
        return reverse(name, args=[project.acronym, world["d11"].pk])
    return reverse(name, args=[project.acronym])


@pytest.mark.parametrize(
    ("who", "expected"), [("torino_pm", 200), ("official", 200), ("auditor", 200), ("trento_pm", 403)]
)
@pytest.mark.parametrize("page", PAGES)
def test_project_pages_matrix(client, world, who, expected, page):
    client.force_login(world[who])
    response = client.get(_url(page, world))
    assert response.status_code == expected
    if expected == 200 and page == "projects:project_detail":
        html = response.content.decode()
        assert "<svg" in html
        assert "D1.1" in html
        assert "vendor/chartjs/chart.umd.min.js" in html


def test_anonymous_is_sent_to_login_and_the_public_page_is_public(client, world):
    response = client.get(_url("projects:project_detail", world))
    assert response.status_code == 302
    public = client.get(reverse("projects:project_public", args=["DA4LP"]))
    assert public.status_code == 200
    assert "Training curriculum" not in public.content.decode()  # SEN and not accepted


def test_the_trento_manager_sees_only_the_public_page_and_no_api_data(client, world):
    trento = world["trento_pm"]
    client.force_login(trento)
    assert client.get(reverse("projects:project_public", args=["DA4LP"])).status_code == 200
    api = api_client_for(trento)
    assert api.get("/api/v1/projects/").json()["count"] == 0
    assert api.get("/api/v1/projects/DA4LP/").status_code == 404
    assert api.get("/api/v1/deliverables/").json()["count"] == 0
    assert api.get(f"/api/v1/deliverables/{world['d11'].pk}/").status_code == 404


def test_the_home_page_lists_what_is_due_and_late(client, world):
    client.force_login(world["torino_pm"])
    html = client.get("/").content.decode()
    assert "DA4LP" in html
    assert "D1.1" in html  # the test project started in 2025: its deliverables are late


def test_register_filters_by_overdue_and_partner(client, world):
    client.force_login(world["official"])
    html = client.get(reverse("projects:deliverable_register"), {"partner": "P2"}).content.decode()
    assert "D2.1" in html
    assert "D1.1" not in html


def test_deliverable_life_through_the_api(world):
    d = world["d11"]
    pm = api_client_for(world["torino_pm"])
    reviewer = world["torino_pm"]
    assert (
        pm.post(
            f"/api/v1/deliverables/{d.pk}/request-review/", {"reviewer": reviewer.pk}, format="json"
        ).status_code
        == 200
    )
    response = pm.post(f"/api/v1/deliverables/{d.pk}/review-decision/", {"approve": True}, format="json")
    assert response.json()["status"] == S.PENDING
    response = pm.post(f"/api/v1/deliverables/{d.pk}/upload/", {"file": pdf_upload()}, format="multipart")
    assert response.status_code == 200
    assert response.json()["files"][0]["version"] == 1
    assert pm.post(f"/api/v1/deliverables/{d.pk}/submit/", {}, format="json").json()["status"] == S.SUBMITTED
    denied = pm.post(f"/api/v1/deliverables/{d.pk}/accept/", {}, format="json")
    assert denied.status_code == 403
    official = api_client_for(world["official"])
    bad = official.post(f"/api/v1/deliverables/{d.pk}/request-revision/", {"reason": " "}, format="json")
    assert bad.status_code == 400
    assert (
        official.post(f"/api/v1/deliverables/{d.pk}/accept/", {}, format="json").json()["status"]
        == S.ACCEPTED
    )
    assert api_client_for(world["auditor"]).get(f"/api/v1/deliverables/{d.pk}/files/1/").status_code == 200


def test_deliverable_page_takes_it_through_review_to_submitted(client, world):
    d, pm = world["d11"], world["torino_pm"]
    client.force_login(pm)
    url = _url("projects:deliverable_detail", world)
    assert client.post(url, {"action": "review", "reviewer": pm.pk}).status_code == 302
    assert client.post(url, {"action": "decide", "decision": "approve"}).status_code == 302
    assert client.post(url, {"action": "upload", "file": pdf_upload()}).status_code == 302
    assert client.post(url, {"action": "submit"}).status_code == 302
    assert Deliverable.objects.get(pk=d.pk).status == S.SUBMITTED
    refused = client.post(url, {"action": "upload", "file": pdf_upload()})
    assert refused.status_code == 403  # no upload form for a submitted deliverable


def test_calendar_feed_is_private_and_revocable(client, world):
    client.force_login(world["torino_pm"])
    client.post(reverse("projects:feed_create", args=["DA4LP"]))
    feed = CalendarFeed.objects.get()
    client.logout()
    ics = client.get(reverse("projects:feed_ics", args=[feed.token]))
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "BEGIN:VCALENDAR" in body
    assert "DA4LP D1.1 Project handbook" in body
    assert "DTSTART;VALUE=DATE:20250630" in body
    assert client.get(reverse("projects:feed_ics", args=["not-a-token"])).status_code == 404
    client.force_login(world["torino_pm"])
    client.post(reverse("projects:feed_revoke", args=["DA4LP", feed.pk]))
    client.logout()
    assert client.get(reverse("projects:feed_ics", args=[feed.token])).status_code == 404


def test_public_deliverable_file_is_public_once_accepted(client, world):
    d = world["d11"]
    Deliverable.objects.filter(pk=d.pk).update(status=S.PENDING)
    svc.deliverable_upload(actor=None, deliverable=d, uploaded_file=pdf_upload("handbook.pdf"))
    url = reverse("projects:deliverable_file", args=["DA4LP", d.pk, 1])
    assert client.get(url).status_code == 404
    svc.deliverable_submit(actor=None, deliverable=Deliverable.objects.get(pk=d.pk))
    svc.deliverable_accept(actor=None, deliverable=Deliverable.objects.get(pk=d.pk))
    assert client.get(url).status_code == 200
    assert "handbook.pdf" in client.get(reverse("projects:project_public", args=["DA4LP"])).content.decode()
