"""Run every report of the catalogue in every format it offers, as its form does, and open each file:
a PDF that pypdf reads, a workbook that openpyxl opens, a CSV that parses. Large exports become jobs:
their progress is followed through the status JSON until a worker finishes them."""

import csv
import io
import json
import re
import time
from dataclasses import dataclass

from portal.smoke.http import HttpClient, HttpResponse
from portal.smoke.walk import parse

RUN_LINK = re.compile(r"^/reports/run/([^/?#]+)/$")
JOB_LINK = re.compile(r"^/reports/exports/(\d+)/$")


@dataclass
class ReportFile:
    report: str
    fmt: str
    status: int
    ok: bool
    detail: str
    size: int = 0
    seconds: float = 0.0
    job: int | None = None
    progress_seen: tuple[int, ...] = ()


def check_file(fmt: str, body: bytes) -> str:
    """Open the file as its reader would; returns what was found, raises ValueError if unreadable."""
    if fmt == "pdf":
        from pypdf import PdfReader

        if not body.startswith(b"%PDF"):
            raise ValueError("not a PDF")
        return f"{len(PdfReader(io.BytesIO(body)).pages)} pages"
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return f"{sum(sheet.max_row or 0 for sheet in book.worksheets)} rows"
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        if not rows:
            raise ValueError("empty CSV")
        return f"{len(rows)} rows"
    if fmt == "json":
        return f"{len(json.loads(body))} items"
    raise ValueError(f"unknown format {fmt}")


def report_keys(client: HttpClient) -> list[str]:
    catalogue = client.get("/reports/")
    if catalogue.status != 200:
        return []
    return sorted({m.group(1) for link in parse(catalogue.text).links if (m := RUN_LINK.match(link))})


def _follow_job(client: HttpClient, job: int, timeout: float) -> tuple[HttpResponse | None, str, tuple]:
    """Poll the job's status JSON until it finishes; returns (download, error, progress values seen)."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = json.loads(client.get(f"/reports/exports/{job}/status/").body)
        if not seen or seen[-1] != status["progress"]:
            seen.append(status["progress"])
        if status["finished"]:
            if status["status"] != "done":
                return None, f"job {status['status']}: {status['error']}", tuple(seen)
            return client.get(status["download_url"]), "", tuple(seen)
        time.sleep(0.25)
    return None, f"job not finished after {timeout:.0f} s", tuple(seen)


def run_report(client: HttpClient, key: str, *, job_timeout: float = 300) -> list[ReportFile]:
    path = f"/reports/run/{key}/"
    page = client.get(path)
    forms = [f for f in parse(page.text).forms if f.method == "post" and f.action == path]
    if page.status != 200 or not forms:
        return [ReportFile(key, "-", page.status, False, "no report form")]
    form = forms[0]
    if form.unfillable:  # e.g. a ranking with no ranked call yet: nothing to run it on
        return [
            ReportFile(
                key, "-", page.status, True, f"not run: nothing to choose for {sorted(form.unfillable)}"
            )
        ]
    results = []
    for fmt in [value for name, value in form.buttons if name == "format"]:
        started = time.monotonic()
        response = client.post(path, [*form.fields, ("format", fmt)])
        job = None
        progress: tuple = ()
        error = ""
        if response.status == 302 and (match := JOB_LINK.match(response.location)):
            job = int(match.group(1))
            response, error, progress = _follow_job(client, job, job_timeout)
        elif response.status != 200 or response.is_html:
            error = f"answered {response.status} {response.content_type} {response.location}".strip()
        result = ReportFile(key, fmt, response.status if response else 0, False, error, job=job)
        result.seconds = time.monotonic() - started
        result.progress_seen = progress
        if response is not None and not error:
            result.size = len(response.body)
            try:
                result.detail = check_file(fmt, response.body)
                result.ok = True
            except Exception as exc:  # an unreadable file is the failure this reports
                result.detail = f"unreadable {fmt}: {exc.__class__.__name__}: {exc}"
        results.append(result)
    return results
