"""Peak memory of large exports: 100,000 expense lines to XLSX and to a streamed CSV.

Run from the project folder: ``.venv/bin/python bench/bench_exports.py [--rows N]``. Each export
runs in a fresh Python subprocess, so the figure is that export's own peak resident set size
(VmHWM from /proc/self/status, cross-checked with getrusage(RUSAGE_CHILDREN).ru_maxrss in the
parent). The baseline is the same process after Django is set up, before the first row.

The rows are expense lines of a rendicontazione (supplier, VAT number, invoice number, date,
description, net, VAT, total), made by a generator that yields tuples the way a selector's
``values_list(...).iterator(chunk_size=...)`` does. The expense-line model does not exist yet
(funding/ is being written); once it does, the rows should flow from that database query
instead, through the same Report definition and renderers.

Targets: XLSX (openpyxl write-only) < 150 MB peak RSS; streamed CSV < 100 MB. No database needed.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS_MB = {"xlsx": 150.0, "csv": 100.0}


def vm_hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(fmt: str, rows: int) -> None:
    """One export in this fresh process; prints a JSON line with the figures."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.utils import translation

    from portal.permissions import EXPORT
    from reporting.document import ReportDocument
    from reporting.registry import Column, ColumnType, Report
    from reporting.renderers import csv as csv_renderer
    from reporting.renderers import xlsx as xlsx_renderer

    def expense_lines(*, user, params):
        """Mimics Expense.objects.filter(...).values_list(...).iterator(chunk_size=2000)."""
        start = dt.date(2024, 1, 1)
        for i in range(params["rows"]):
            net = Decimal(100 + i % 9000) + Decimal(i % 100) / 100
            vat = (net * Decimal("0.22")).quantize(Decimal("0.01"))
            yield (
                f"Fornitore {i % 500} S.r.l.",
                f"{10000000000 + i % 90000000:011d}",
                f"FT-2024/{i:07d}",
                start + dt.timedelta(days=i % 366),
                f"Fornitura body-cam e accessori, lotto {i % 37}, riga {i}",
                net,
                vat,
                net + vat,
            )

    report = Report(
        key="bench.expenses",
        title="Expense lines (benchmark)",
        capability=EXPORT,
        columns=(
            Column("supplier", "Supplier", width=24),
            Column("vat_number", "VAT number", width=13),
            Column("invoice", "Invoice number", width=15),
            Column("date", "Date", ColumnType.DATE),
            Column("description", "Description", width=40),
            Column("net", "Net", ColumnType.MONEY, total=True),
            Column("vat", "VAT", ColumnType.MONEY, total=True),
            Column("total", "Total", ColumnType.MONEY, total=True),
        ),
        rows=expense_lines,
        count=lambda *, user, params: params["rows"],
    )
    document = ReportDocument(
        report=report,
        rows=report.rows(user=None, params={"rows": rows}),
        title=str(report.title),
        lines=["DCR 15 dicembre 2020 n. 89-19389"],
        generated_by="bench@sentinella.invalid",
        rows_total=rows,
    )
    baseline = vm_hwm_mb()
    started = time.perf_counter()
    with translation.override("it"), tempfile.TemporaryFile() as out:
        if fmt == "xlsx":
            written = xlsx_renderer.write(document, out)
        else:  # exactly what a browser receives: the StreamingHttpResponse's chunks
            response = csv_renderer.streaming_response(document, filename="bench.csv")
            for chunk in response.streaming_content:
                out.write(chunk)
            written = rows
        size = out.tell()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "format": fmt,
                "rows": written,
                "bytes": size,
                "seconds": seconds,
                "baseline_mb": baseline,
                "peak_mb": vm_hwm_mb(),
            }
        )
    )


def run(fmt: str, rows: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, __file__, "--child", fmt, "--rows", str(rows)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    # ru_maxrss of children is the largest of any child so far: meaningful only when it grew.
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["rusage_children_mb"] = after / 1024 if after > before else None
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=sorted(TARGETS_MB), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return 0

    failed = False
    print(f"Exports of {args.rows:,} expense lines, each in a fresh process (peak RSS = VmHWM)")
    for fmt in ("xlsx", "csv"):
        figures = run(fmt, args.rows)
        target = TARGETS_MB[fmt]
        ok = figures["peak_mb"] < target
        failed |= not ok
        rusage = figures["rusage_children_mb"]
        print(
            f"{fmt.upper():4}  peak {figures['peak_mb']:6.1f} MB (target < {target:.0f} MB: "
            f"{'ok' if ok else 'OVER'}), after Django setup {figures['baseline_mb']:5.1f} MB, "
            f"{figures['seconds']:5.1f} s, {figures['rows'] / figures['seconds']:,.0f} rows/s, "
            f"file {figures['bytes'] / 1024 / 1024:5.1f} MB"
            + (f", ru_maxrss {rusage:6.1f} MB" if rusage else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
