"""Benchmark: split 499,999.88 € over the 1,181 comuni of Piedmont and adopt the split.

    .venv/bin/python bench/bench_allocation_adopt.py                         # embedded SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sentinella \\
        .venv/bin/python bench/bench_allocation_adopt.py                     # PostgreSQL

Runs in a throwaway database (Django's test database: ``test_<name>`` on PostgreSQL, a temporary
file on SQLite), created and destroyed here, so it never touches real data. Measures:

- computing the split (the pure strategy, no database), median of several runs: target < 50 ms;
- proposing it (two reads, the computation, 1,181 rows stored, audited);
- adopting it (1,181 commitments, their 1,181 audit events, the call's and the allocation's, the
  rows linked to their commitments, in one transaction) against the floor of the same writes: the
  same 1,181 commitment rows and 1,184 audit-event rows, their JSON and chained hashes computed
  beforehand, sent by psycopg alone on a plain cursor of its own (server-side binding) into the
  same tables, in each of three ways with psycopg's default (text) parameters: multi-row INSERT ...
  VALUES, executemany (pipelined), INSERT ... SELECT FROM UNNEST(arrays); the fastest of the three
  is the baseline. Printed too, for scale: the UNNEST with binary parameters (%b, as adoption's own
  inserts send them) and COPY, with adoption's ratio to each. Adoption and these five ways run
  ROUNDS times, interleaved, each inside a transaction that is rolled back (none pays the COMMIT);
  on PostgreSQL the median adoption must be at most 3 times the median baseline. A last adoption
  then commits and is checked: every commitment, every audit event with the hash chain intact, the
  reservation used up.
  The act's PDFs, which adoption queues after commit, are held back (bench/bench_annex_pdf.py).

BENCH_ROUNDS (default 5); BENCH_PROFILE=1 profiles the committed adoption (BENCH_PROFILE_SORT=tottime
for another order); BENCH_SLOWEST=1 lists its slowest queries.
"""

import datetime
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

COMPUTE_RUNS = 25
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BATCH = 500
TARGET_RATIO = 3.0
ACT_NUMBER, ACT_DATE = "129", datetime.date(2020, 4, 23)

COMMITMENT = (
    ("reservation_id", "bigint"),
    ("beneficiary_id", "bigint"),
    ("amount", "numeric"),
    ("act_type", "varchar"),
    ("act_number", "varchar"),
    ("act_date", "date"),
    ("description", "varchar"),
    ("created_at", "timestamptz"),
    ("created_by_id", "bigint"),
    ("cup", "varchar"),
    ("status", "varchar"),
    ("liquidated_total", "numeric"),
    ("economies_total", "numeric"),
)
EVENT = (
    ("seq", "bigint"),
    ("created_at", "timestamptz"),
    ("actor_id", "bigint"),
    ("actor_repr", "varchar"),
    ("organisation_id", "bigint"),
    ("action", "varchar"),
    ("target_type_id", "integer"),
    ("target_id", "varchar"),
    ("target_repr", "varchar"),
    ("before", "jsonb"),
    ("after", "jsonb"),
    ("source", "varchar"),
    ("request_id", "varchar"),
    ("ip_address", "inet"),
    ("prev_hash", "varchar"),
    ("hash", "varchar"),
)
PLAIN_WAYS = ("VALUES", "executemany", "UNNEST %s")
FOR_SCALE = ("UNNEST %b", "COPY")


def main() -> int:
    import django

    django.setup()
    from benchkit import throwaway_database

    with throwaway_database():
        return run()


class _Rollback(Exception):
    pass


def _rolled_back(work) -> float:
    """Seconds `work` takes inside a transaction that is then rolled back."""
    from django.db import transaction

    elapsed = 0.0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _baseline_rows(allocation, reservation) -> tuple[list[tuple], list[tuple]]:
    """The rows adoption writes, as plain tuples: commitments, then audit events with their JSON
    and their chained hashes already computed (none of this is timed)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from funding.models import Commitment
    from portal.models import AuditChainHead

    now = timezone.now()
    description = f"Allocation of the call {allocation.call.code}, round {allocation.round}"
    lines = [(r.beneficiary_id, r.amount) for r in allocation.rows.order_by("position") if r.amount > 0]
    commitments = [
        (
            reservation.pk,
            org,
            amount,
            "DD",
            ACT_NUMBER,
            ACT_DATE,
            description,
            now,
            None,
            "",
            "provisional",
            0,
            0,
        )
        for org, amount in lines
    ]
    head = AuditChainHead.objects.get(singleton=1)
    commitment_type = ContentType.objects.get_for_model(Commitment).pk
    seq, prev = head.last_seq + 1_000_000, head.last_hash  # clear of the events adoption writes
    events = []
    for index, (org, amount) in enumerate(lines + [(None, allocation.total)] * 3):
        after = {
            "reservation": reservation.pk,
            "beneficiary": org,
            "amount": str(amount),
            "act_type": "DD",
            "act_number": ACT_NUMBER,
            "act_date": ACT_DATE.isoformat(),
            "cup": "",
            "status": "provisional",
            "description": description,
            "allocation": allocation.pk,
            "round": 1,
        }
        seq += 1
        payload = {"seq": seq, "after": after, "prev_hash": prev, "target_id": str(index)}
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        after_json, repr_ = json.dumps(after), f"Commitment {index} · {org} · {amount}"
        events.append(
            (
                seq,
                now,
                None,
                "",
                org,
                "ledger.commitment.created",
                commitment_type,
                str(index),
                repr_,
                None,
                after_json,
                "system",
                "",
                None,
                prev,
                digest,
            )
        )
        prev = digest
    return commitments, events


def _insert_plain(way: str, table: str, columns: tuple, rows: list[tuple]) -> None:
    """psycopg alone, on a plain cursor of its own, in one of PLAIN_WAYS (or COPY)."""
    import psycopg
    from django.db import connection

    names = ", ".join(name for name, _ in columns)
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with psycopg.Cursor(connection.connection) as cursor:
        if way == "COPY":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif way == "executemany":
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one_row}", rows)  # noqa: S608
        else:
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                if way == "VALUES":
                    sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one_row] * len(batch))  # noqa: S608
                    cursor.execute(sql, [value for row in batch for value in row])
                else:
                    marker = way.split()[1]
                    arrays = ", ".join(f"{marker}::{kind}[]" for _, kind in columns)
                    sql = f"INSERT INTO {table} ({names}) SELECT * FROM UNNEST({arrays})"  # noqa: S608
                    cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])


def _ms(values: list[float]) -> str:
    low, mid, high = (v * 1000 for v in (min(values), statistics.median(values), max(values)))
    return f"min {low:.0f} / median {mid:.0f} / max {high:.0f} ms"


def run() -> int:
    from unittest import mock

    from benchkit import covid_call
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from funding import allocation as strategies
    from funding.allocation.base import AllocationInput
    from funding.choices import AllocationStatus
    from funding.models import Commitment, Reservation
    from funding.services import allocation as services
    from funding.services.allocation import adopt as adopt_module
    from funding.services.allocation import propose
    from portal.audit import audit_verify_chain
    from portal.models import AuditChainHead, AuditEvent

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    started = time.perf_counter()
    reservation, call = covid_call("Benchmark: COVID-19 split")
    print(f"setup (comuni, programme): {time.perf_counter() - started:.2f} s")

    first = time.perf_counter()
    services.allocation_propose(actor=None, call=call)  # also creates the 1,181 municipalities
    first = time.perf_counter() - first

    spans: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spans[name] = time.perf_counter() - t

        return wrapper

    # The bench times the steps itself, around the service's own functions (the service keeps no timing).
    with (
        CaptureQueriesContext(connection) as queries,
        mock.patch.object(propose, "_compute", timed("compute", propose._compute)),
        mock.patch.object(propose, "_store", timed("store", propose._store)),
    ):
        t = time.perf_counter()
        allocation = services.allocation_propose(actor=None, call=call)
        proposing = time.perf_counter() - t
    timing = SimpleNamespace(
        read=proposing - spans["compute"] - spans["store"], compute=spans["compute"], store=spans["store"]
    )
    allocation_input = AllocationInput.from_dict(allocation.inputs)
    runs = []
    for _ in range(COMPUTE_RUNS):
        t = time.perf_counter()
        result = strategies.compute(allocation_input)
        runs.append(time.perf_counter() - t)
    assert result.allocated == allocation.total
    compute_ms = statistics.median(runs) * 1000
    rows = allocation.rows.count()
    print(f"comuni: {rows}, total {allocation.total}, allocated {allocation.allocated_total}")
    print(f"compute the split (pure, median of {COMPUTE_RUNS}): {compute_ms:.1f} ms   (target < 50 ms)")
    print(
        f"propose (read {timing.read * 1000:.1f} ms + compute {timing.compute * 1000:.1f} ms + "
        f"store {timing.store * 1000:.1f} ms): {proposing * 1000:.1f} ms in {len(queries)} queries "
        f"(first proposal, creating the municipalities: {first * 1000:.0f} ms)"
    )

    def adopt():
        services.allocation_adopt(actor=None, allocation=allocation, act_number=ACT_NUMBER, act_date=ACT_DATE)

    postgresql = connection.vendor == "postgresql"
    commitment_rows, event_rows = _baseline_rows(allocation, reservation)
    ways = (*PLAIN_WAYS, *FOR_SCALE) if postgresql else ()

    def plain(way):
        return lambda: (
            _insert_plain(way, Commitment._meta.db_table, COMMITMENT, commitment_rows),
            _insert_plain(way, AuditEvent._meta.db_table, EVENT, event_rows),
        )

    plain_runs = {way: [] for way in ways}
    adopt_runs = []
    with mock.patch.object(adopt_module, "_schedule_act_pdfs"):
        for _ in range(ROUNDS if postgresql else 0):
            for way in ways:
                plain_runs[way].append(_rolled_back(plain(way)))
            adopt_runs.append(_rolled_back(adopt))
            allocation.status = AllocationStatus.PROPOSED  # adoption marks the caller's copy

        events_before = AuditEvent.objects.count()
        head_before = AuditChainHead.objects.get(singleton=1)
        with CaptureQueriesContext(connection) as adopt_queries:
            profiler = None
            if os.environ.get("BENCH_PROFILE"):
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            t = time.perf_counter()
            adopt()
            committed = time.perf_counter() - t
            if profiler is not None:
                import pstats

                profiler.disable()
                sort = os.environ.get("BENCH_PROFILE_SORT", "cumulative")
                pstats.Stats(profiler).sort_stats(sort).print_stats(40)
    commitments = Commitment.objects.filter(reservation=reservation).count()
    events = AuditEvent.objects.count() - events_before
    available = Reservation.objects.get(pk=reservation.pk).available
    chain = audit_verify_chain(after_seq=head_before.last_seq, after_hash=head_before.last_hash)
    full_chain = audit_verify_chain()

    ratio = None
    if postgresql:
        print(
            f"plain psycopg writes of the same {len(commitment_rows)} commitments + {len(event_rows)} "
            f"audit events, {ROUNDS} rounds:"
        )
        for way in ways:
            print(f"  {way:<12} {_ms(plain_runs[way])}")
        fastest = min(PLAIN_WAYS, key=lambda way: statistics.median(plain_runs[way]))
        baseline = statistics.median(plain_runs[fastest])
        ratio = statistics.median(adopt_runs) / baseline
        print(f"adopt, {ROUNDS} rounds (rolled back): {_ms(adopt_runs)}")
        print(
            f"adopt / fastest plain INSERT ({fastest}), medians: {ratio:.2f} times   "
            f"(target at most {TARGET_RATIO:.0f})"
        )
        for way in FOR_SCALE:
            scale = statistics.median(adopt_runs) / statistics.median(plain_runs[way])
            print(f"adopt / {way}, medians: {scale:.2f} times   (for scale)")
    print(
        f"adopt, committed: {committed * 1000:.0f} ms in {len(adopt_queries)} queries: "
        f"{commitments} commitments, {events} audit events (chain "
        f"{'intact' if chain.ok and full_chain.ok else 'BROKEN'}: {chain.checked} new, "
        f"{full_chain.checked} in all), reservation available {available}"
    )
    if os.environ.get("BENCH_SLOWEST"):
        for query in sorted(adopt_queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
            print(f"  {float(query['time']) * 1000:.0f} ms  {query['sql'][:150]}")
    ok = (
        compute_ms < 50
        and commitments == rows
        and events == len(event_rows)
        and chain.ok
        and full_chain.ok
        and chain.checked == events
        and available == 0
    )
    if ratio is not None:
        ok = ok and ratio <= TARGET_RATIO
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
