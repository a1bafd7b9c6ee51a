from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.permissions import capability_required
from portal.workers import worker_seen_recently
from reporting.choices import ExportStatus
from reporting.http import job_file_response
from reporting.models import ExportJob
from reporting.registry import ReportNotFound, get_report
from reporting.selectors import REPORT_CAPABILITIES, export_job_list
from reporting.services.exports import export_download, export_job_for


def _job(request, pk) -> ExportJob:
    try:
        return export_job_for(user=request.user, job_id=pk)
    except ExportJob.DoesNotExist:
        raise Http404 from None


def report_title(key: str) -> str:
    try:
        return str(get_report(key).title)
    except ReportNotFound:
        return key


def describe_params(job: ExportJob) -> list[str]:
    """The job's parameters as "Label: value" lines (raw keys if the report changed since)."""
    try:
        report = get_report(job.report_key)
        return report.describe_params(report.clean_params(job.params, user=job.requested_by))
    except (ReportNotFound, ValidationError):
        return [f"{key}: {value}" for key, value in job.params.items()]


def job_status(job: ExportJob) -> dict:
    """What the progress page shows, as JSON for its script."""
    if job.rows_total is not None:
        rows = _("%(done)s of %(total)s rows") % {
            "done": number_format(job.rows_done, force_grouping=True),
            "total": number_format(job.rows_total, force_grouping=True),
        }
    else:
        rows = ""
    done = job.status == ExportStatus.DONE
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "rows_label": rows,
        "error": job.error,
        "finished": job.is_finished,
        # No worker noted itself alive within a minute: say so rather than spin for ever.
        "waiting_for_worker": not job.is_finished and not worker_seen_recently(),
        "download_url": reverse("reporting:job_download", args=[job.pk]) if done else None,
    }


@capability_required(*REPORT_CAPABILITIES)
@require_GET
def job_list(request):
    page = Paginator(export_job_list(user=request.user), 25).get_page(request.GET.get("page"))
    for job in page.object_list:
        job.report_title = report_title(job.report_key)
    return render(request, "reporting/job_list.html", {"page": page})


@capability_required(*REPORT_CAPABILITIES)
@require_GET
def job_detail(request, pk):
    job = _job(request, pk)
    return render(
        request,
        "reporting/job_detail.html",
        {
            "job": job,
            "status": job_status(job),
            "report_title": report_title(job.report_key),
            "parameters": describe_params(job),
        },
    )


@never_cache
@capability_required(*REPORT_CAPABILITIES)
@require_GET
def job_status_json(request, pk):
    return JsonResponse(job_status(_job(request, pk)))


@never_cache
@capability_required(*REPORT_CAPABILITIES)
@require_GET
def job_download(request, pk):
    try:
        job = export_download(user=request.user, job_id=pk)
    except ExportJob.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from None
    return job_file_response(job)
