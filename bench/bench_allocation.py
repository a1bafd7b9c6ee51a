"""How long the COVID split takes: 499,999.88 € over the 1,181 comuni of Piedmont by population.

Run from the project folder: ``.venv/bin/python bench/bench_allocation.py [--runs N]``. It reads the
populations at 1 January 2022 from fixtures/piemonte_comuni.csv (ISTAT, elaborazione Openpolis,
CC-BY 4.0), then times ``funding.allocation.compute`` alone: reading the file and building the input
are done once, outside the timing. No Django setup and no database are needed. Target: < 50 ms.
"""

import argparse
import csv
import datetime
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from funding.allocation import AllocationResult, compute  # noqa: E402
from funding.allocation.proportional_population import population_input  # noqa: E402

CSV_PATH = ROOT / "fixtures" / "piemonte_comuni.csv"
TOTAL = Decimal("499999.88")
REFERENCE_DATE = datetime.date(2022, 1, 1)
TARGET_MS = 50.0


def load_populations() -> dict[str, int]:
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        return {row["istat_code"]: int(row["population_2022"]) for row in csv.DictReader(handle)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed computations (default 50)")
    args = parser.parse_args()

    populations = load_populations()
    allocation_input = population_input(total=TOTAL, populations=populations, reference_date=REFERENCE_DATE)
    first = compute(allocation_input)  # warm-up, and the reference every timed run must reproduce
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = compute(allocation_input)
        timings.append((time.perf_counter() - started) * 1000)
        if result != first:
            print("A re-run gave a different result.", file=sys.stderr)
            return 1
    started = time.perf_counter()
    stored = first.to_dict()
    reread = AllocationResult.from_dict(stored)
    round_trip_ms = (time.perf_counter() - started) * 1000

    median = statistics.median(timings)
    print(f"COVID split: {TOTAL} € over {len(populations)} comuni ({sum(populations.values()):,} residents)")
    same = "yes" if reread == first else "NO"
    print(f"allocated {first.allocated} €, unallocated {first.unallocated} €; re-read equal: {same}")
    print(
        f"compute over {args.runs} runs: median {median:.2f} ms, min {min(timings):.2f} ms, "
        f"max {max(timings):.2f} ms (target < {TARGET_MS:.0f} ms)"
    )
    print(f"to_dict + from_dict: {round_trip_ms:.2f} ms")
    return 0 if median < TARGET_MS else 2


if __name__ == "__main__":
    sys.exit(main())
