"""The inventory list and the funded-vs-deployed page with 50,000 devices and 200,000 history rows,
against the ledger's chapter status page measured in the same run.

Run from the project folder (PostgreSQL is the target; SQLite works too)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sentinella \\
        .venv/bin/python bench/bench_inventory.py [--devices 50000] [--history 4] [--requests 15]

A throwaway database (bench/benchkit.py) gets the real programme and comuni, a body-cam call with
200 grants, and first 50 devices: the three pages are requested once to count their queries. Then
the devices grow to --devices by bulk_create (each with --history status changes, half of them
deployed at a site) and each page is requested --requests times through Django's test client as an
auditor (who may read all three): the script prints the median and 90th percentile of the response
time and the query count, and checks the targets of issue 12:

- the query count of each inventory page is the same with 50 devices as with 50,000;
- each inventory page's median is within 3x the chapter status page's median.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

GRANTS = 200
BATCH = 10000
RATIO_TARGET = 3.0


def setup_world():
    """The programme, the comuni, an auditor, a body-cam call with GRANTS committed grants."""
    from allauth.mfa.totp.internal.auth import TOTP

    from funding.choices import AllocationMethod, CallStatus
    from funding.models import Call, Reservation
    from funding.services.ledger import Act, CommitmentLine, commitment_create_many
    from funding.services.programme import programme_load
    from inventory.choices import DeviceKind
    from inventory.models import DeviceModel
    from portal.choices import OrganisationKind, Role
    from portal.models import Membership, Organisation, User
    from portal.reference import load_comuni

    load_comuni()
    programme_load()
    region = Organisation.objects.create(kind=OrganisationKind.REGION, name="Regione Piemonte")
    auditor = User.objects.create_user(email="bench-auditor@sentinella.invalid", password="x")  # noqa: S106
    Membership.objects.create(user=auditor, organisation=region, role=Role.AUDITOR)
    TOTP.activate(auditor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    reservation = Reservation.objects.get(action__axis__number=1, action__number=2, chapter__number="151120")
    call = Call.objects.create(
        code="bench-bodycam",
        action=reservation.action,
        reservation=reservation,
        title="Body-cam (benchmark)",
        allocation_method=AllocationMethod.DECLARED_WEIGHT,
        status=CallStatus.CLOSED,
    )
    owners = Organisation.objects.bulk_create(
        Organisation(kind=OrganisationKind.OTHER, name=f"Beneficiario {n:03d}") for n in range(GRANTS)
    )
    lines = [CommitmentLine(beneficiary=o, amount=Decimal("3000.00")) for o in owners]
    commitments = commitment_create_many(
        actor=None,
        reservation=reservation,
        lines=lines,
        act=Act(number="1/2021", date=datetime.date(2021, 6, 1)),
    )
    from funding.models import Allocation, AllocationRow

    allocation = Allocation.objects.create(
        call=call, method=AllocationMethod.DECLARED_WEIGHT, total=Decimal("600000.00"), inputs={}
    )
    AllocationRow.objects.bulk_create(
        AllocationRow(
            allocation=allocation,
            position=n,
            beneficiary=c.beneficiary,
            weight=1,
            exact_quota=Decimal("3000"),
            amount=c.amount,
            commitment=c,
        )
        for n, c in enumerate(commitments, start=1)
    )
    model = DeviceModel.objects.create(kind=DeviceKind.BODYCAM, manufacturer="Axon", name="Body 3")
    return auditor, call, commitments, model


def add_devices(commitments, model, start: int, count: int, history: int) -> None:
    """Devices start..start+count spread over the grants, with `history` status rows each; every
    other one deployed to an officer."""
    from inventory.choices import AssignmentKind, DeviceStatus, FundingSource
    from inventory.models import Assignment, Device, DeviceStatusChange

    cycle = [DeviceStatus.ORDERED, DeviceStatus.IN_STOCK, DeviceStatus.MAINTENANCE, DeviceStatus.IN_STOCK]
    for offset in range(start, start + count, BATCH):
        size = min(BATCH, start + count - offset)
        devices = Device.objects.bulk_create(
            [
                Device(
                    owner_id=commitments[n % len(commitments)].beneficiary_id,
                    model=model,
                    serial_number=f"X3-{n:07d}",
                    asset_tag=f"PL-BC-{n:07d}",
                    cost_net=Decimal("349.90"),
                    cost_vat=Decimal("76.98"),
                    status=DeviceStatus.DEPLOYED if n % 2 == 0 else DeviceStatus.IN_STOCK,
                    funding_source=FundingSource.GRANT,
                    commitment=commitments[n % len(commitments)],
                    warranty_end=datetime.date(2022 + n % 8, 1, 1),
                )
                for n in range(offset, offset + size)
            ],
            batch_size=BATCH,
        )
        Assignment.objects.bulk_create(
            [
                Assignment(
                    device=d,
                    kind=AssignmentKind.OFFICER,
                    police_unit="Reparto",
                    officer_service_number=f"PL{d.pk}",
                    started_on=datetime.date(2022, 1, 1),
                )
                for d in devices
                if d.status == DeviceStatus.DEPLOYED
            ],
            batch_size=BATCH,
        )
        DeviceStatusChange.objects.bulk_create(
            [
                DeviceStatusChange(
                    device=d,
                    from_status=cycle[i % 4] if i else "",
                    to_status=cycle[(i + 1) % 4],
                    reason="bench",
                )
                for d in devices
                for i in range(history)
            ],
            batch_size=BATCH,
        )


def measure(client, url: str, times: int) -> tuple[float, float, int, int]:
    """(median ms, p90 ms, queries, status) over `times` GETs, after one warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    timings = []
    queries = 0
    status = 0
    for _ in range(times):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    if os.environ.get("BENCH_QUERIES"):  # the slowest queries of the last request
        for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9) - 1], queries, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=50_000)
    parser.add_argument("--history", type=int, default=4, help="status changes per device")
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from benchkit import throwaway_database
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    with throwaway_database():
        auditor, call, commitments, model = setup_world()
        client = Client(HTTP_ACCEPT_LANGUAGE="it")
        client.force_login(auditor)
        pages = {
            "inventory list": reverse("inventory:device_list"),
            "funded vs deployed": f"{reverse('inventory:funded')}?call={call.code}",
            "chapter status (ledger)": reverse("funding:chapter_status") + "?year=2020",
        }
        add_devices(commitments, model, 0, 50, args.history)
        small = {name: measure(client, url, 3) for name, url in pages.items()}
        started = time.perf_counter()
        add_devices(commitments, model, 50, args.devices - 50, args.history)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum does after a bulk load
                cursor.execute("VACUUM ANALYZE")
        from inventory.models import Device, DeviceStatusChange

        print(
            f"{connection.vendor}: {Device.objects.count():,} devices, "
            f"{DeviceStatusChange.objects.count():,} history rows, {len(commitments)} grants "
            f"(filled in {time.perf_counter() - started:.1f} s)"
        )
        large = {name: measure(client, url, args.requests) for name, url in pages.items()}
        ledger_median = large["chapter status (ledger)"][0]
        failures = []
        print(f"{'page':26} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'q@50':>6} {'x ledger':>9}")
        for name in pages:
            median, p90, queries, status = large[name]
            ratio = median / ledger_median if ledger_median else 0
            print(f"{name:26} {median:10.1f} {p90:8.1f} {queries:8d} {small[name][2]:6d} {ratio:9.2f}")
            if status != 200:
                failures.append(f"{name}: HTTP {status}")
            if name != "chapter status (ledger)":
                if queries != small[name][2]:
                    failures.append(f"{name}: {small[name][2]} queries with 50 devices, {queries} with many")
                if ratio > RATIO_TARGET:
                    failures.append(f"{name}: {ratio:.2f}x the ledger page (target {RATIO_TARGET}x)")
    for failure in failures:
        print("FAIL", failure)
    print("OK: targets met" if not failures else "targets missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
