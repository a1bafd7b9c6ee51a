"""Benchmark: split 499,999.88 € over the 1,181 comuni of Piedmont and adopt the split.

    .venv/bin/python bench/bench_allocation_adopt.py                         # embedded SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sentinella \\
        .venv/bin/python bench/bench_allocation_adopt.py                     # PostgreSQL

Runs in a throwaway database (Django's test database: ``test_<name>`` on PostgreSQL, a temporary
file on SQLite), created and destroyed here, so it never touches real data. Measures:

- computing the split (the pure strategy, no database), median of several runs: target < 50 ms;
- proposing it (two reads, the computation, 1,181 rows stored, audited);
- adopting it: 1,181 commitments and their 1,181 audit events in one transaction: target < 1 s
  on PostgreSQL. The PDFs of the act that adoption queues after commit are held back here (in the
  embedded mode they would render in-process); bench/bench_annex_pdf.py measures them.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

COMPUTE_RUNS = 25


def main() -> int:
    import django

    django.setup()
    from benchkit import throwaway_database
    from django.test.utils import CaptureQueriesContext

    with throwaway_database():
        return run(CaptureQueriesContext)


def run(capture) -> int:
    from unittest import mock

    from benchkit import covid_call
    from django.db import connection

    from funding import allocation as strategies
    from funding.allocation.base import AllocationInput
    from funding.models import Commitment, Reservation
    from funding.services import allocation as services
    from funding.services.allocation import propose
    from portal.models import AuditEvent
    from reporting import hooks

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    started = time.perf_counter()
    reservation, call = covid_call("Benchmark: COVID-19 split")
    print(f"setup (comuni, programme): {time.perf_counter() - started:.2f} s")

    first = time.perf_counter()
    services.allocation_propose(actor=None, call=call)  # also creates the 1,181 municipalities
    first = time.perf_counter() - first

    with capture(connection) as queries:
        t = time.perf_counter()
        allocation = services.allocation_propose(actor=None, call=call)
        proposing = time.perf_counter() - t
    timing = propose.last_timing
    allocation_input = AllocationInput.from_dict(allocation.inputs)
    runs = []
    for _ in range(COMPUTE_RUNS):
        t = time.perf_counter()
        result = strategies.compute(allocation_input)
        runs.append(time.perf_counter() - t)
    assert result.allocated == allocation.total
    compute_ms = statistics.median(runs) * 1000

    events_before = AuditEvent.objects.count()
    with capture(connection) as adopt_queries, mock.patch.object(hooks, "allocation_adopted"):
        profiler = None
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t = time.perf_counter()
        services.allocation_adopt(
            actor=None, allocation=allocation, act_number="129", act_date=datetime.date(2020, 4, 23)
        )
        adopting = time.perf_counter() - t
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(
                35
            )
    commitments = Commitment.objects.filter(reservation=reservation).count()
    events = AuditEvent.objects.count() - events_before
    available = Reservation.objects.get(pk=reservation.pk).available

    rows = allocation.rows.count()
    print(f"comuni: {rows}, total {allocation.total}, allocated {allocation.allocated_total}")
    print(f"compute the split (pure, median of {COMPUTE_RUNS}): {compute_ms:.1f} ms   (target < 50 ms)")
    print(
        f"propose (read {timing.read * 1000:.1f} ms + compute {timing.compute * 1000:.1f} ms + "
        f"store {timing.store * 1000:.1f} ms): {proposing * 1000:.1f} ms in {len(queries)} queries "
        f"(first proposal, creating the municipalities: {first * 1000:.0f} ms)"
    )
    print(
        f"adopt: {adopting * 1000:.0f} ms in {len(adopt_queries)} queries: {commitments} commitments, "
        f"{events} audit events, reservation available {available}   (target < 1 s on PostgreSQL)"
    )
    if os.environ.get("BENCH_SLOWEST"):
        for query in sorted(adopt_queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
            print(f"  {float(query['time']) * 1000:.0f} ms  {query['sql'][:150]}")
    ok = compute_ms < 50 and commitments == rows and available == 0
    if connection.vendor == "postgresql":
        ok = ok and adopting < 1
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
