"""API: audit events (read-only, filtered, paginated), reports, export jobs and their files."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portal.audit import audit_record
from portal.choices import Role
from portal.models import AuditEvent, User
from reporting.choices import ExportStatus
from reporting.models import ExportJob
from tests.factories import OrganisationFactory, make_user
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
AUDIT = "/api/v1/audit-events/"
EXPORTS = "/api/v1/exports/"


def test_audit_events_are_read_only_filtered_and_paginated(auditor, official):
    org = OrganisationFactory(name="Ente")
    target = audit_record(action="test.api.one", actor=official, organisation=org, target=org, after={"a": 1})
    audit_record(action="test.api.two", after={"b": 2})
    api = api_client_for(auditor)
    body = api.get(AUDIT, {"action": "test.api"}).json()
    assert body["count"] == 2
    first = body["results"][1]
    assert first["seq"] == target.seq
    assert first["action"] == "test.api.one"
    assert first["target_type"] == "portal.organisation"
    assert first["target_id"] == str(org.pk)
    assert first["after"] == {"a": 1}
    assert first["hash"] == target.hash
    assert first["actor"] == official.pk
    assert api.get(AUDIT, {"target_type": "organisation", "target_id": org.pk}).json()["count"] == 1
    assert api.get(AUDIT, {"actor": official.email}).json()["count"] >= 1
    assert api.get(f"{AUDIT}{target.seq}/").json()["action"] == "test.api.one"
    events = AuditEvent.objects.count()
    assert api.post(AUDIT, {"action": "forged"}, format="json").status_code in (403, 405)
    assert api.delete(f"{AUDIT}{target.seq}/").status_code in (403, 405)
    assert AuditEvent.objects.count() == events


def test_the_whole_trail_is_counted_from_the_sequence_a_search_by_counting(auditor, official):
    for i in range(3):
        audit_record(action="test.count", actor=official, after={"i": i})
    api = api_client_for(auditor)
    with CaptureQueriesContext(connection) as ctx:
        body = api.get(AUDIT).json()
    assert body["count"] == AuditEvent.objects.count()
    assert len(body["results"]) == min(50, body["count"])
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"] and "auditevent" in q["sql"]]
    assert api.get(AUDIT, {"action": "test.count"}).json()["count"] == 3
    assert api.get(AUDIT, {"page": 1}).json()["count"] == body["count"]  # a page number is no search


def test_audit_events_permission_matrix(applicant):
    assert APIClient().get(AUDIT).status_code == 401
    assert api_client_for(applicant).get(AUDIT).status_code == 403
    assert api_client_for(make_user(Role.ADMINISTRATOR)).get(AUDIT).status_code == 200


def test_audit_events_query_count_does_not_grow(auditor, official):
    org = OrganisationFactory()

    def queries():
        api = api_client_for(User.objects.get(pk=auditor.pk))  # no roles cached from an earlier call
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(AUDIT, {"action": "test.count"}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(10):
        audit_record(action="test.count", actor=official, organisation=org, target=org, after={"i": i})
    ten = queries()
    for i in range(90):
        audit_record(action="test.count", actor=official, organisation=org, target=org, after={"i": i})
    assert queries() == ten


def test_reports_lists_what_the_user_may_run(official, administrator, expenses_report):
    keys = {r["key"] for r in api_client_for(official).get("/api/v1/reports/").json()}
    assert {"audit.events", "reference.population", "tests.expenses"} <= keys
    expenses = api_client_for(official).get("/api/v1/reports/tests.expenses/").json()
    assert expenses["formats"] == ["pdf", "xlsx", "csv"]
    assert {"key": "net", "label": "Net", "type": "money", "total": True} in expenses["columns"]
    assert expenses["parameters"][0]["name"] == "rows"
    assert expenses["parameters"][0]["required"] is True
    admin_keys = {r["key"] for r in api_client_for(administrator).get("/api/v1/reports/").json()}
    assert admin_keys == {"audit.events"}
    assert api_client_for(administrator).get("/api/v1/reports/tests.expenses/").status_code == 404


def request_export(client, **payload):
    return client.post(EXPORTS, payload, format="json")


def test_request_follow_and_download_an_export(
    official, expenses_report, eager, django_capture_on_commit_callbacks
):
    api = api_client_for(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = request_export(api, report="tests.expenses", format="csv", params={"rows": 30})
    assert response.status_code == 202
    job = response.json()
    assert response["Location"] == job["status_url"]
    assert job["report"] == "tests.expenses"
    assert job["params"] == {"rows": 30}

    status = api.get(f"{EXPORTS}{job['id']}/").json()
    assert status["status"] == "done"
    assert status["progress"] == 100
    assert status["rows_total"] == 30
    assert status["download_url"].endswith(f"/api/v1/exports/{job['id']}/download/")

    download = api.get(status["download_url"])
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert len(rows) == 31
    assert api.get(EXPORTS).json()["count"] == 1


def test_download_with_any_accept_header(official, expenses_report):
    from reporting.services.exports import export_request
    from reporting.services.jobs import export_execute

    job = export_request(user=official, report_key="tests.expenses", params={"rows": 2}, fmt="pdf")
    export_execute(job_id=job.pk)
    api = api_client_for(official)
    response = api.get(f"{EXPORTS}{job.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_export_api_errors_and_permission_matrix(official, applicant, expenses_report):
    assert request_export(APIClient(), report="tests.expenses", format="csv").status_code == 401
    applicant_api = api_client_for(applicant)
    denied = request_export(applicant_api, report="tests.expenses", format="csv", params={"rows": 1})
    assert denied.status_code == 403
    api = api_client_for(official)
    assert request_export(api, report="nope", format="csv").status_code == 400
    bad = request_export(api, report="tests.expenses", format="csv", params={"rows": "many"})
    assert bad.status_code == 400
    assert "rows" in bad.json()
    assert request_export(api, report="tests.expenses", format="doc", params={"rows": 1}).status_code == 400
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_export_jobs_belong_to_their_requester(official, expenses_report):
    from reporting.services.exports import export_request

    job = export_request(user=official, report_key="tests.expenses", params={"rows": 2}, fmt="csv")
    colleague = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    assert colleague.get(f"{EXPORTS}{job.pk}/").status_code == 404
    assert colleague.get(f"{EXPORTS}{job.pk}/download/").status_code == 404
    assert colleague.get(EXPORTS).json()["count"] == 0
    assert api_client_for(make_user(Role.APPLICANT)).get(f"{EXPORTS}{job.pk}/").status_code == 403
    not_ready = api_client_for(official).get(f"{EXPORTS}{job.pk}/download/")
    assert not_ready.status_code == 404
    assert ExportJob.objects.get().status == ExportStatus.QUEUED


def test_schema_documents_the_reporting_endpoints(official):
    schema = api_client_for(official).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/audit-events/",
        "/api/v1/audit-events/{seq}/",
        "/api/v1/reports/",
        "/api/v1/exports/",
        "/api/v1/exports/{id}/",
        "/api/v1/exports/{id}/download/",
    ):
        assert path in paths, path
    create = paths["/api/v1/exports/"]["post"]
    assert "202" in create["responses"]
    request_schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert request_schema["$ref"].endswith("ExportJobCreateRequest")
    download = paths["/api/v1/exports/{id}/download/"]["get"]["responses"]["200"]
    assert "application/octet-stream" in download["content"]
