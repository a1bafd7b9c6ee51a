"""Pages: catalogue, report form, inline downloads, job progress, my exports, download matrix."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.choices import Role
from portal.models import AuditEvent
from reporting.choices import ExportStatus
from reporting.models import ExportJob
from reporting.services.exports import export_request
from reporting.services.jobs import export_execute
from tests.factories import make_user
from tests.utils import external_assets

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_catalogue_lists_the_reports_each_role_may_run(client, expenses_report, official, administrator):
    client.force_login(official)
    html = client.get(reverse("reporting:catalogue"), **EN).content.decode()
    assert "Expense lines of the body-cam pilot" in html
    assert "Resident population of the comuni" in html
    assert "Audit trail extract" in html  # officials read the audit trail too

    client.force_login(administrator)  # reads the audit trail, exports nothing else
    html = client.get(reverse("reporting:catalogue"), **EN).content.decode()
    assert "Audit trail extract" in html
    assert "Expense lines" not in html


@pytest.mark.parametrize("role", [Role.EU_PROJECT_MANAGER, Role.INVENTORY_MANAGER])
def test_roles_without_reports_get_403(client, role):
    client.force_login(make_user(role))
    assert client.get(reverse("reporting:catalogue")).status_code == 403
    assert client.get(reverse("reporting:job_list")).status_code == 403
    assert client.get(reverse("reporting:audit_list")).status_code == 403


def test_applicants_see_only_the_reports_about_their_own_organisations(client, applicant, expenses_report):
    client.force_login(applicant)
    html = client.get(reverse("reporting:catalogue"), **EN).content.decode()
    assert "Beneficiary statement" in html
    assert "Expense lines of the body-cam pilot" not in html
    assert "Audit trail extract" not in html
    assert client.get(reverse("reporting:job_list")).status_code == 200
    assert client.get(reverse("reporting:run", args=["tests.expenses"])).status_code == 403
    assert client.get(reverse("reporting:audit_list")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    urls = (reverse("reporting:catalogue"), reverse("reporting:audit_list"), "/reports/exports/1/download/")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_menu_shows_reports_and_audit_trail_by_capability(client, official, administrator, applicant):
    client.force_login(official)
    html = client.get("/", **EN).content.decode()
    assert f'href="{reverse("reporting:catalogue")}"' in html
    assert f'href="{reverse("reporting:audit_list")}"' in html
    client.force_login(applicant)  # their own organisation's statement, not the audit trail
    html = client.get("/", **EN).content.decode()
    assert f'href="{reverse("reporting:catalogue")}"' in html
    assert reverse("reporting:audit_list") not in html
    client.force_login(make_user(Role.INVENTORY_MANAGER))
    html = client.get("/", **EN).content.decode()
    assert reverse("reporting:catalogue") not in html


def test_report_form_shows_parameters_and_a_button_per_format(client, official, comuni):
    client.force_login(official)
    response = client.get(reverse("reporting:run", args=["reference.population"]), **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="reference_date"' in html
    assert 'name="province"' in html
    for fmt in ("pdf", "xlsx", "csv"):
        assert f'name="format" value="{fmt}"' in html


def test_small_csv_streams_at_once(client, official, comuni):
    client.force_login(official)
    response = client.post(
        reverse("reporting:run", args=["reference.population"]),
        {"reference_date": "2023-01-01", "capitals_only": "on", "format": "csv"},
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert re.match(r'attachment; filename="reference-population-\d{8}-\d{6}\.csv"', disposition)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["istat_code", "comune", "province", "provincial_capital", "population"]
    assert ["001272", "Torino", "TO", "sì", "841600"] in rows
    assert len(rows) == 1 + 8  # the eight provincial capitals
    assert AuditEvent.objects.get(action="export.generated").after["rows"] == 8


def test_small_xlsx_is_rendered_in_the_request(client, official, comuni):
    client.force_login(official)
    response = client.post(
        reverse("reporting:run", args=["reference.population"]),
        {"reference_date": "2023-01-01", "capitals_only": "on", "format": "xlsx"},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[-1][0] == "Totale"
    assert values[-1][4] == sum(v[4] for v in values if v[0] and v[0].isdigit())


def test_invalid_parameters_show_the_form_again(client, official, comuni, settings):
    client.force_login(official)
    response = client.post(reverse("reporting:run", args=["reference.population"]), {"format": "csv"}, **EN)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    settings.EXPORT_PDF_MAX_ROWS = 10
    response = client.post(
        reverse("reporting:run", args=["reference.population"]),
        {"reference_date": "2023-01-01", "format": "pdf"},
        **EN,
    )
    assert response.status_code == 400
    assert "A PDF holds at most 10 rows" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_large_export_becomes_a_job_and_its_page_shows_progress(
    client, official, expenses_report, settings, eager, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 100
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:run", args=["tests.expenses"]), {"rows": "101", "format": "csv"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:job_detail", args=[job.pk])
    assert job.status == ExportStatus.DONE  # embedded mode: it ran right after the commit

    html = client.get(response["Location"], **EN).content.decode()
    assert 'class="progress" role="progressbar"' in html
    assert 'aria-valuenow="100"' in html
    assert reverse("reporting:job_download", args=[job.pk]) in html
    assert "/static/reporting/export-progress.js" in html
    assert external_assets(html) == []

    status = client.get(reverse("reporting:job_status", args=[job.pk]), **EN).json()
    assert status["status"] == "done"
    assert status["progress"] == 100
    assert status["rows_label"] == "101 of 101 rows"
    assert status["download_url"] == reverse("reporting:job_download", args=[job.pk])
    assert status["finished"] is True


def test_status_of_a_running_job(client, official, expenses_report):
    job = export_request(user=official, report_key="tests.expenses", params={"rows": 3}, fmt="csv")
    client.force_login(official)
    status = client.get(reverse("reporting:job_status", args=[job.pk]), **EN).json()
    assert status["status"] == "queued"
    assert status["download_url"] is None
    assert status["finished"] is False
    html = client.get(reverse("reporting:job_detail", args=[job.pk]), **EN).content.decode()
    assert 'aria-valuenow="0"' in html
    assert "data-export-download hidden" in html


def test_my_exports_lists_only_mine(client, official, expenses_report):
    other = make_user(Role.REGIONAL_OFFICIAL)
    mine = export_request(user=official, report_key="tests.expenses", params={"rows": 3}, fmt="csv")
    theirs = export_request(user=other, report_key="tests.expenses", params={"rows": 3}, fmt="xlsx")
    client.force_login(official)
    html = client.get(reverse("reporting:job_list"), **EN).content.decode()
    assert reverse("reporting:job_detail", args=[mine.pk]) in html
    assert reverse("reporting:job_detail", args=[theirs.pk]) not in html


@pytest.fixture
def done_job(official, expenses_report):
    job = export_request(user=official, report_key="tests.expenses", params={"rows": 4}, fmt="csv")
    export_execute(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_download_permission_matrix(client, done_job, official):
    url = reverse("reporting:job_download", args=[done_job.pk])
    downloads = AuditEvent.objects.filter(action="export.downloaded")

    response = client.get(url)  # anonymous
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    client.force_login(make_user(Role.AUDITOR))  # right role, someone else's job
    assert client.get(url).status_code == 404
    assert client.get(reverse("reporting:job_detail", args=[done_job.pk])).status_code == 404
    assert client.get(reverse("reporting:job_status", args=[done_job.pk])).status_code == 404

    client.force_login(make_user(Role.APPLICANT))  # wrong role
    assert client.get(url).status_code == 403

    official.memberships.update(role=Role.EU_PROJECT_MANAGER)  # the requester, no longer allowed
    client.force_login(official)
    assert client.get(url).status_code == 403
    assert not downloads.exists()  # a denied call changes nothing

    official.memberships.update(role=Role.REGIONAL_OFFICIAL)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{done_job.filename}"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).decode().startswith("supplier,vat_number")
    assert downloads.get().actor == official


def test_files_are_not_under_a_public_url(client, done_job, settings):
    client.force_login(done_job.requested_by)
    assert client.get(f"{settings.MEDIA_URL}{done_job.file.name}").status_code == 404


def test_an_expired_export_cannot_be_downloaded(client, done_job):
    ExportJob.objects.filter(pk=done_job.pk).update(status=ExportStatus.EXPIRED, file="")
    client.force_login(done_job.requested_by)
    assert client.get(reverse("reporting:job_download", args=[done_job.pk])).status_code == 404
