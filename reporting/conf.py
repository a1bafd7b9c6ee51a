"""Tunables of the export machinery, each overridable by a Django setting of the same name.

Only EXPORT_RETENTION lives in portal/settings.py (it is read from EXPORT_RETENTION_HOURS); the
others have defaults that suit both the embedded mode and a worker on Redis.
"""

from datetime import timedelta

from django.conf import settings

DEFAULTS = {
    # Up to this many rows an export is produced inside the request; above it, by a job.
    "EXPORT_INLINE_MAX_ROWS": 5000,
    # WeasyPrint lays a PDF out in memory, about 4 s and 80 MB per 1,000 rows of six or seven
    # columns (bench/bench_annex_pdf.py): PDFs go to a job sooner, and past EXPORT_PDF_MAX_ROWS they
    # are refused (a PDF is to read; XLSX/CSV hold more).
    "EXPORT_INLINE_MAX_ROWS_PDF": 300,
    "EXPORT_PDF_MAX_ROWS": 2000,
    # A running job renews its lease at least this often (rows or seconds, whichever comes first).
    "EXPORT_PROGRESS_EVERY_ROWS": 1000,
    "EXPORT_PROGRESS_EVERY_SECONDS": 2.0,
    # A worker that stops renewing its lease for this long is presumed dead; its job is taken over.
    "EXPORT_LEASE": timedelta(seconds=90),
    # A job queued for this long without a worker taking it is sent again (the message was lost).
    "EXPORT_QUEUED_STALE_AFTER": timedelta(minutes=10),
    # After this many attempts a job is marked failed instead of being taken over again.
    "EXPORT_MAX_ATTEMPTS": 3,
    "EXPORT_RETENTION": timedelta(hours=48),
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
