"""Peak memory of large exports: 100,000 real expense lines to XLSX and to a streamed CSV.

Run from the project folder::

    .venv/bin/python bench/bench_exports.py [--rows N]                     # temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sentinella \\
        .venv/bin/python bench/bench_exports.py                            # PostgreSQL

The script makes a throwaway database of its own (``bench_exports_<name>`` on PostgreSQL, a file
under var/ on SQLite), fills it with ExpenseLine rows by bulk_create (100
beneficiaries, 1,000 expense reports of 100 invoice lines each, on one chapter's commitments), then
exports them through the registered ``funding.expenses`` report, run by an auditor, with the real
XLSX and CSV renderers: each export in a fresh Python subprocess, so the figure is that export's
own peak resident set size (VmHWM from /proc/self/status once the file is written; the parent's
getrusage(RUSAGE_CHILDREN).ru_maxrss, also shown, covers the child's whole life including the
interpreter's shutdown, and reads some MB higher). The baseline is the child after Django is set
up and the rows are counted, before the first row is read. The database is destroyed at the end.

Targets: XLSX (openpyxl write-only) < 150 MB peak RSS; streamed CSV < 100 MB.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

TARGETS_MB = {"xlsx": 150.0, "csv": 100.0}
REPORT_KEY = "funding.expenses"
AUDITOR_EMAIL = "bench-auditor@sentinella.invalid"
BENEFICIARIES = 100
LINES_PER_REPORT = 100
BATCH = 5000


def vm_hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the data ---------------------------------------------------------------------------------------
def expense_lines(reports, rows: int):
    """`rows` invoice lines spread over `reports`, with plausible amounts and eligibility decisions."""
    from funding.models import ExpenseLine

    start = dt.date(2021, 1, 1)
    quarter = Decimal("0.25")
    for i in range(rows):
        # Cents in quarters: SQLite checks total = net + VAT in binary floating point, where
        # 100.10 + 22.02 != 122.12 (a known limit of the embedded mode, not of this benchmark).
        net = Decimal(100 + i % 9000) + quarter * (i % 4)
        vat = (net * Decimal("0.22") / quarter).quantize(Decimal(1)) * quarter
        eligible = (True, True, True, False, None)[i % 5]
        yield ExpenseLine(
            report=reports[i // LINES_PER_REPORT % len(reports)],
            supplier_name=f"Fornitore {i % 500} S.r.l.",
            supplier_vat_number=f"{10000000000 + i % 90000000:011d}",
            invoice_number=f"FT-2021/{i:07d}",
            invoice_date=start + dt.timedelta(days=i % 365),
            description=f"Fornitura body-cam e accessori, lotto {i % 37}, riga {i}",
            net_amount=net,
            vat_amount=vat,
            total_amount=net + vat,
            eligible=eligible,
            ineligible_reason="Spesa non pertinente" if eligible is False else "",
        )


def make_ledger(rows: int) -> None:
    """An auditor, one chapter, its reservation, a commitment per beneficiary, their expense reports and
    `rows` lines, written with bulk_create (ledger running totals set to match the entries)."""
    from django.db import transaction

    from funding.choices import ExpenseReportStatus
    from funding.models import Action, Axis, BudgetChapter, Commitment, ExpenseReport, Programme, Reservation
    from portal.choices import OrganisationKind, Role
    from portal.models import Membership, Organisation, User

    act = {"act_number": "1/2021", "act_date": dt.date(2021, 3, 1)}
    per_commitment = Decimal("1000000.00")
    with transaction.atomic():
        region = Organisation.objects.create(kind=OrganisationKind.REGION, name="Regione (benchmark)")
        auditor = User.objects.create_user(AUDITOR_EMAIL)
        Membership.objects.create(user=auditor, organisation=region, role=Role.AUDITOR)
        programme = Programme.objects.create(
            title="Programma (benchmark)",
            legal_basis="L.R. 23/2007",
            act_label="DCR 15 dicembre 2020, n. 89-19389",
            act_number="89-19389",
            act_date=dt.date(2020, 12, 15),
            start_year=2020,
            end_year=2022,
        )
        axis = Axis.objects.create(programme=programme, number=1, title="Sistemi di sicurezza integrata")
        action = Action.objects.create(axis=axis, number=1, title="Body-cam", start_year=2021, end_year=2021)
        committed = per_commitment * BENEFICIARIES
        chapter = BudgetChapter.objects.create(
            number="151120",
            year=2021,
            missione="03",
            programma="03.02",
            appropriation=committed,
            reserved_total=committed,
        )
        reservation = Reservation.objects.create(
            action=action, chapter=chapter, amount=committed, committed_total=committed, **act
        )
        beneficiaries = Organisation.objects.bulk_create(
            Organisation(kind=OrganisationKind.OTHER, name=f"Ente beneficiario {n:03d}")
            for n in range(BENEFICIARIES)
        )
        commitments = Commitment.objects.bulk_create(
            Commitment(reservation=reservation, beneficiary=b, amount=per_commitment, **act)
            for b in beneficiaries
        )
        reports = ExpenseReport.objects.bulk_create(
            ExpenseReport(commitment=commitments[n % BENEFICIARIES], status=ExpenseReportStatus.SUBMITTED)
            for n in range(max(1, rows // LINES_PER_REPORT))
        )
    from funding.models import ExpenseLine

    lines = expense_lines(reports, rows)
    while True:
        batch = [line for _, line in zip(range(BATCH), lines, strict=False)]
        if not batch:
            break
        with transaction.atomic():
            ExpenseLine.objects.bulk_create(batch)


# --- one export, in a fresh process ---------------------------------------------------------------------
def child(fmt: str, database: str) -> None:
    """Export the report in this fresh process; prints a JSON line with the figures."""
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database  # the throwaway database the parent made
    django.setup()
    from django.utils import translation

    from portal.models import User
    from reporting.document import build_document
    from reporting.registry import get_report
    from reporting.renderers import csv as csv_renderer
    from reporting.renderers import xlsx as xlsx_renderer

    with translation.override("it"):
        report = get_report(REPORT_KEY)
        user = User.objects.get(email=AUDITOR_EMAIL)
        params = report.clean_params({}, user=user)
        rows_total = report.count(user=user, params=params)
        document = build_document(report=report, user=user, params=params, rows_total=rows_total)
        baseline = vm_hwm_mb()
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            if fmt == "xlsx":
                written = xlsx_renderer.write(document, out)
            else:  # exactly what a browser receives: the StreamingHttpResponse's chunks
                response = csv_renderer.streaming_response(document, filename="bench.csv")
                lines = 0
                for chunk in response.streaming_content:
                    out.write(chunk)
                    lines += chunk.count(b"\r\n")
                written = lines - 1  # the header
            size = out.tell()
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "format": fmt,
                "rows": written,
                "rows_total": rows_total,
                "bytes": size,
                "seconds": seconds,
                "baseline_mb": baseline,
                "peak_mb": vm_hwm_mb(),
            }
        )
    )


def run(fmt: str, database: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, __file__, "--child", fmt, "--database", database],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode:
        raise RuntimeError(f"the {fmt} export failed:\n{completed.stderr}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    # ru_maxrss of children is the largest of any child so far: meaningful only when it grew.
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["rusage_children_mb"] = after / 1024 if after > before else None
    return figures


# --- the whole benchmark ------------------------------------------------------------------------------
def bench(rows: int) -> int:
    from django.db import connection

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    started = time.perf_counter()
    make_ledger(rows)
    connection.close()  # the children open their own connections
    print(f"setup: {rows:,} expense lines by bulk_create in {time.perf_counter() - started:.1f} s")
    print(f"Exports of {rows:,} expense lines ({REPORT_KEY}), each in a fresh process (peak RSS = VmHWM)")
    failed = False
    for fmt in ("xlsx", "csv"):
        figures = run(fmt, connection.settings_dict["NAME"])
        target = TARGETS_MB[fmt]
        ok = figures["peak_mb"] < target and figures["rows"] == rows
        failed |= not ok
        rusage = figures["rusage_children_mb"]
        print(
            f"{fmt.upper():4}  peak {figures['peak_mb']:6.1f} MB (target < {target:.0f} MB: "
            f"{'ok' if ok else 'OVER'}), after Django setup {figures['baseline_mb']:5.1f} MB, "
            f"{figures['seconds']:5.1f} s, {figures['rows'] / figures['seconds']:,.0f} rows/s, "
            f"{figures['rows']:,} rows, file {figures['bytes'] / 1024 / 1024:5.1f} MB"
            + (f", ru_maxrss {rusage:6.1f} MB" if rusage else "")
        )
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=sorted(TARGETS_MB), help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database)
        return 0

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    # A database of its own, never the site's nor the one the test suite keeps (--reuse-db).
    if sqlite:  # a file under var/
        var = Path(settings.VAR_DIR)
        var.mkdir(parents=True, exist_ok=True)
        path = var / f"bench-exports-{os.getpid()}.sqlite3"
        test_name = str(path)
    else:
        test_name = f"bench_exports_{connection.settings_dict['NAME']}"
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = test_name
    connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return bench(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        if sqlite:
            for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
