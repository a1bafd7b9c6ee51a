"""HTTP responses for exports: streamed CSV, rendered files, stored files. No rules here."""

from django.http import FileResponse, HttpResponse

from reporting.choices import ExportFormat
from reporting.document import StoredDocument
from reporting.models import ExportJob
from reporting.renderers import csv as csv_renderer
from reporting.renderers import get_renderer
from reporting.services.exports import InlineExport


def inline_response(export: InlineExport):
    if export.renderer.format == ExportFormat.CSV:
        return csv_renderer.streaming_response(export.document, filename=export.filename)
    response = HttpResponse(export.content(), content_type=export.renderer.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def job_file_response(job: ExportJob) -> FileResponse:
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=get_renderer(job.format).content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def stored_pdf_response(stored: StoredDocument) -> FileResponse:
    """An act's PDF straight from storage (never a public media URL)."""
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = f'"{stored.sha256}"'
    return response
