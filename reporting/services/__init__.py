"""Writes of the reporting app (export jobs). Reads are in reporting.selectors."""

from reporting.services.exports import (
    InlineExport,
    export_download,
    export_job_for,
    export_prepare,
    export_request,
    export_start,
)
from reporting.services.jobs import CleanupReport, ExportRun, export_cleanup, export_execute

__all__ = [
    "CleanupReport",
    "ExportRun",
    "InlineExport",
    "export_cleanup",
    "export_download",
    "export_execute",
    "export_job_for",
    "export_prepare",
    "export_request",
    "export_start",
]
