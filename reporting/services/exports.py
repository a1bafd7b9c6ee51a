"""Exports: produce a report now (small ones, in the request) or through a tracked job (large ones).

Rules kept here:
- who may export what: the report's capability, checked before anything is read or written;
- which path: up to EXPORT_INLINE_MAX_ROWS rows (EXPORT_INLINE_MAX_ROWS_PDF for a PDF) in the
  request, above that an ExportJob;
- a PDF holds at most EXPORT_PDF_MAX_ROWS rows;
- a job is queued after the request's transaction commits and run by reporting.services.jobs;
- only the requester downloads the file, while they still hold the report's capability;
- every state change that matters (requested, completed, failed, taken over, requeued, expired,
  downloaded, produced in the request) is an audit event written in the same transaction.
"""

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.audit import audit_record
from portal.jobs import enqueue
from portal.models import User
from portal.permissions import EXPORT, can, primary_membership
from reporting import conf
from reporting.choices import ExportFormat, ExportStatus
from reporting.document import ReportDocument, build_document
from reporting.models import ExportJob
from reporting.registry import ERROR_UNKNOWN_REPORT, Report, ReportNotFound, get_report
from reporting.renderers import Renderer, get_renderer

ERROR_FORMAT_NOT_OFFERED = _("This report cannot be exported in this format.")
ERROR_PDF_TOO_LARGE = _(
    "A PDF holds at most %(max)s rows and this export has %(rows)s: choose Excel or CSV, "
    "or narrow the parameters."
)
ERROR_PUBLIC_TOO_LARGE = _(
    "This download would hold %(rows)s rows, more than the %(max)s a spreadsheet is built with here: "
    "choose CSV, or narrow the filters."
)
ERROR_NOT_READY = _("This export is not ready to download.")
ERROR_EXPIRED = _("This export has expired and its file was deleted: request it again.")


# --- preparing ----------------------------------------------------------------------------------
@dataclass
class PreparedExport:
    report: Report
    params: dict[str, Any]  # cleaned
    params_json: dict[str, Any]  # stored on the job, accepted again by report.clean_params
    format: str
    rows_total: int


def _report_or_error(report_key: str) -> Report:
    try:
        return get_report(report_key)
    except ReportNotFound:
        raise ValidationError({"report": [ERROR_UNKNOWN_REPORT]}, code="unknown_report") from None


def export_prepare(*, user: User, report_key: str, params: dict[str, Any] | None, fmt: str) -> PreparedExport:
    """Check permission, format and parameters; count the rows. Reads only."""
    report = _report_or_error(report_key)
    if not report.available_to(user):
        raise PermissionDenied
    if fmt not in report.formats or fmt not in ExportFormat.values:
        raise ValidationError({"format": [ERROR_FORMAT_NOT_OFFERED]}, code="format")
    cleaned = report.clean_params(params, user=user)
    rows_total = report.count(user=user, params=cleaned)
    pdf_max = conf.get("EXPORT_PDF_MAX_ROWS")
    if fmt == ExportFormat.PDF and rows_total > pdf_max:
        raise ValidationError(
            {"format": [ERROR_PDF_TOO_LARGE % {"max": pdf_max, "rows": rows_total}]}, code="pdf_too_large"
        )
    return PreparedExport(report, cleaned, report.params_to_json(cleaned), fmt, rows_total)


def organisation_of(user):
    membership = primary_membership(user)
    return membership.organisation if membership else None


def export_filename(report: Report, fmt: str, when: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", report.key.lower()).strip("-")
    return f"{slug}-{timezone.localtime(when):%Y%m%d-%H%M%S}.{get_renderer(fmt).extension}"


# --- produced in the request ---------------------------------------------------------------------
@dataclass
class InlineExport:
    document: ReportDocument
    renderer: Renderer
    filename: str
    rows_total: int | None

    def content(self) -> bytes:
        """The whole file (XLSX, PDF); CSV is better streamed by reporting.http.inline_response."""
        buffer = BytesIO()
        self.renderer.write(self.document, buffer)
        return buffer.getvalue()


def export_start(
    *, user: User, report_key: str, params: dict[str, Any] | None, fmt: str
) -> "InlineExport | ExportJob":
    """A small export is produced at once (InlineExport); a large one becomes a queued ExportJob."""
    prepared = export_prepare(user=user, report_key=report_key, params=params, fmt=fmt)
    pdf = fmt == ExportFormat.PDF
    inline_max = conf.get("EXPORT_INLINE_MAX_ROWS_PDF" if pdf else "EXPORT_INLINE_MAX_ROWS")
    if prepared.rows_total <= inline_max:
        return _inline(user=user, prepared=prepared)
    return _create_job(user=user, prepared=prepared)


def _inline(*, user: User, prepared: PreparedExport) -> InlineExport:
    report = prepared.report
    document = build_document(
        report=report, user=user, params=prepared.params, rows_total=prepared.rows_total
    )
    with transaction.atomic(durable=True):
        audit_record(
            action="export.generated",
            actor=user,
            organisation=organisation_of(user),
            after={
                "report": report.key,
                "format": prepared.format,
                "params": prepared.params_json,
                "rows": prepared.rows_total,
            },
        )
    return InlineExport(
        document=document,
        renderer=get_renderer(prepared.format),
        filename=export_filename(report, prepared.format, document.generated_at),
        rows_total=prepared.rows_total,
    )


def export_public(
    *, document: ReportDocument, fmt: str, filename: str, count: Callable[[], int]
) -> InlineExport:
    """Open data anyone may download without logging in: no job and no audit (there is nobody to
    name). CSV is streamed whatever its size; a file built in memory (XLSX) holds at most
    EXPORT_INLINE_MAX_ROWS rows, the limit of every export produced in the request."""
    if fmt not in (ExportFormat.CSV, ExportFormat.XLSX):
        raise ValidationError({"format": [ERROR_FORMAT_NOT_OFFERED]}, code="format")
    rows_total = None
    if fmt != ExportFormat.CSV:
        rows_total = count()
        inline_max = conf.get("EXPORT_INLINE_MAX_ROWS")
        if rows_total > inline_max:
            raise ValidationError(
                {"format": [ERROR_PUBLIC_TOO_LARGE % {"rows": rows_total, "max": inline_max}]},
                code="too_large",
            )
    return InlineExport(
        document=document, renderer=get_renderer(fmt), filename=filename, rows_total=rows_total
    )


# --- jobs: request -----------------------------------------------------------------------------------
def export_request(*, user: User, report_key: str, params: dict[str, Any] | None, fmt: str) -> ExportJob:
    """Queue an export job whatever its size; the worker starts once this transaction commits."""
    prepared = export_prepare(user=user, report_key=report_key, params=params, fmt=fmt)
    return _create_job(user=user, prepared=prepared)


def _create_job(*, user: User, prepared: PreparedExport) -> ExportJob:
    with transaction.atomic(durable=True):
        job = ExportJob.objects.create(
            report_key=prepared.report.key,
            params=prepared.params_json,
            format=prepared.format,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            requested_by=user,
            rows_total=prepared.rows_total,
            queued_at=timezone.now(),
        )
        audit_record(
            action="export.requested",
            actor=user,
            organisation=organisation_of(user),
            target=job,
            after={
                "report": job.report_key,
                "format": job.format,
                "params": job.params,
                "rows": prepared.rows_total,
            },
        )
        enqueue("reporting.export_run", job.pk)
    return job


# --- downloads ----------------------------------------------------------------------------------------
def export_job_for(*, user: User, job_id: int) -> ExportJob:
    """The requester's own job. Without the report's capability: PermissionDenied (403); someone
    else's job or none: ExportJob.DoesNotExist (404), so ids reveal nothing."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    capability = EXPORT
    if job is not None:
        with contextlib.suppress(ReportNotFound):
            capability = get_report(job.report_key).capability
    if not can(user, capability):
        raise PermissionDenied
    if job is None or job.requested_by_id != user.pk:
        raise ExportJob.DoesNotExist
    return job


def export_download(*, user: User, job_id: int) -> ExportJob:
    """Check that `user` may download the job's file now and record that they did."""
    job = export_job_for(user=user, job_id=job_id)
    if job.status == ExportStatus.EXPIRED:
        raise ValidationError(ERROR_EXPIRED, code="expired")
    if job.status != ExportStatus.DONE or not job.file.name:
        raise ValidationError(ERROR_NOT_READY, code="not_ready")
    with transaction.atomic(durable=True):
        audit_record(
            action="export.downloaded",
            actor=user,
            organisation=organisation_of(user),
            target=job,
            after={"file": job.filename, "sha256": job.file_sha256},
        )
    return job
