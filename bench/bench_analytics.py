"""Analytics ingestion over HTTP: 200,000 events in batches of 1,000 posted to gunicorn (2 workers).

Run from the project folder (PostgreSQL is the target; SQLite works too)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sentinella \\
        .venv/bin/python bench/bench_analytics.py [--events 200000] [--batch 1000] [--singles 1000]

A throwaway database (bench/benchkit.py) gets a comune's 500 deployed cameras and an analytics
source; gunicorn serves it with 2 synchronous workers (no request limit, so that the workers' peak
memory is theirs). The batches are built before the clock starts and posted by two client threads
on keep-alive connections. Then the same number of single-event POSTs as --singles, and again a
tenth of the batches (all duplicates now). It prints the figures and checks the targets of issue 13:

- at least 5,000 events/s stored, every event stored once;
- at least 20x the rate of single-event POSTs measured in the same run;
- a fully duplicate batch no slower (median) than a fresh one;
- each worker's peak RSS (VmHWM) under 250 MB.
"""

import argparse
import datetime
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

DEVICES = 500
KINDS = ["line_crossing", "intrusion", "loitering", "crowd_density", "heartbeat", "tampering"]
TARGET_RATE = 5000
TARGET_RATIO = 20
RSS_LIMIT_MB = 250


def setup_world():
    from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus, FundingSource
    from inventory.models import Assignment, Device, DeviceModel, Site
    from inventory.services.sources import source_create
    from portal.choices import OrganisationKind
    from portal.models import Comune, Organisation
    from portal.reference import load_comuni

    load_comuni()
    torino = Comune.objects.get(istat_code="001272")
    owner = Organisation.objects.create(
        kind=OrganisationKind.MUNICIPALITY, name="Comune di Torino", comune=torino
    )
    model = DeviceModel.objects.create(kind=DeviceKind.CCTV, manufacturer="Bench", name="Cam")
    site = Site.objects.create(
        owner=owner,
        name="Piazza Castello",
        address="Piazza Castello",
        comune=torino,
        latitude="45.071",
        longitude="7.6856",
    )
    devices = Device.objects.bulk_create(
        [
            Device(
                owner=owner,
                model=model,
                serial_number=f"CAM{n:05d}",
                asset_tag=f"VS-TO-{n:05d}",
                cost_net="980.00",
                cost_vat="215.60",
                status=DeviceStatus.DEPLOYED,
                funding_source=FundingSource.OWN_FUNDS,
            )
            for n in range(DEVICES)
        ]
    )
    Assignment.objects.bulk_create(
        [
            Assignment(device=d, kind=AssignmentKind.SITE, site=site, started_on=datetime.date(2022, 1, 1))
            for d in devices
        ]
    )
    return source_create(actor=None, owner=owner, name="Centrale operativa").key


def make_events(count: int, start: int) -> list[dict]:
    now = datetime.datetime.now(datetime.UTC)
    return [
        {
            "event_id": str(uuid.uuid4()),
            "device": f"VS-TO-{(start + i) % DEVICES:05d}",
            "occurred_at": (now - datetime.timedelta(seconds=(start + i) % 86400)).isoformat(),
            "kind": KINDS[(start + i) % len(KINDS)],
            "severity": "low",
            "value": float((start + i) % 7) if KINDS[(start + i) % len(KINDS)] == "crowd_density" else None,
            "zone": f"Varco {(start + i) % 12}",
            "confidence": 0.8,
        }
        for i in range(count)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_all(
    port: int, key: str, bodies: list[bytes], threads: int = 2
) -> tuple[float, list[float], list[dict]]:
    """Post every body (threads share the list); (elapsed s, latency ms per body, answers)."""
    latencies: list[float] = [0.0] * len(bodies)
    answers: list[dict] = [{}] * len(bodies)
    lock = threading.Lock()
    cursor = iter(range(len(bodies)))
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            started = time.perf_counter()
            conn.request("POST", "/api/v1/analytics/events/", body=bodies[index], headers=headers)
            response = conn.getresponse()
            data = response.read()
            latencies[index] = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {data[:300]!r}")
            answers[index] = json.loads(data)
        conn.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started, latencies, answers


def peak_rss_mb(master_pid: int) -> list[float]:
    """VmHWM of each worker (the children of gunicorn's master)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/livez")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from benchkit import throwaway_database
    from django.db import connection

    with throwaway_database():
        key = setup_world()
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        else:
            url = f"sqlite:///{db['NAME']}"
        connection.close()
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "WEB_CONCURRENCY": str(args.workers),
            "GUNICORN_MAX_REQUESTS": "0",
            "ANALYTICS_BATCHES_PER_MINUTE": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "/dev/null",
                "portal.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port)
            batches = [make_events(args.batch, n * args.batch) for n in range(args.events // args.batch)]
            bodies = [json.dumps(b).encode() for b in batches]
            post_all(
                port, key, [json.dumps(make_events(args.batch, 10**9)).encode()] * 2
            )  # warm both workers
            elapsed, fresh_ms, answers = post_all(port, key, bodies)
            accepted = sum(a["accepted"] for a in answers)
            rate = accepted / elapsed

            singles = [json.dumps(make_events(1, 2 * 10**9 + n)).encode() for n in range(args.singles)]
            single_elapsed, _single_ms, single_answers = post_all(port, key, singles)
            single_rate = sum(a["accepted"] for a in single_answers) / single_elapsed

            again = bodies[:: max(1, len(bodies) // max(1, len(bodies) // 10))][: max(1, len(bodies) // 10)]
            _dup_elapsed, dup_ms, dup_answers = post_all(port, key, again)
            duplicates = sum(a["duplicate"] for a in dup_answers)
            peaks = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        from inventory.models import AnalyticsEvent, DeviceDailyStat

        stored = AnalyticsEvent.objects.count()
        figures = sum(DeviceDailyStat.objects.values_list("count", flat=True))

    fresh_median, dup_median = statistics.median(fresh_ms), statistics.median(dup_ms)
    print(
        f"{connection.vendor}: {args.events:,} events in batches of {args.batch:,}, "
        f"gunicorn {args.workers} workers"
    )
    print(
        f"  batches       {accepted:>9,} accepted in {elapsed:6.1f} s = {rate:8,.0f} events/s "
        f"(median {fresh_median:.0f} ms per batch)"
    )
    print(
        f"  single POSTs  {args.singles:>9,} in {single_elapsed:6.1f} s = {single_rate:8,.0f} events/s  "
        f"ratio {rate / single_rate:.1f}x"
    )
    print(f"  duplicates    {duplicates:>9,} refused as duplicate, median {dup_median:.0f} ms per batch")
    print(f"  stored rows   {stored:>9,}; daily figures count {figures:,}")
    print(f"  workers' peak RSS: {', '.join(f'{p:.0f} MB' for p in peaks)}")
    expected = accepted + args.singles + args.batch  # the warm-up batch, posted twice
    failures = []
    if accepted != args.events or stored != expected or figures != expected:
        failures.append(f"stored {stored}, figures {figures}, expected {expected}")
    if duplicates != len(again) * args.batch:
        failures.append("a repeated batch was not all duplicate")
    if rate < TARGET_RATE:
        failures.append(f"{rate:,.0f} events/s < {TARGET_RATE:,}")
    if rate < TARGET_RATIO * single_rate:
        failures.append(f"batches only {rate / single_rate:.1f}x the single POSTs (< {TARGET_RATIO}x)")
    if dup_median > fresh_median:
        failures.append(
            f"a duplicate batch ({dup_median:.0f} ms) is slower than a fresh one ({fresh_median:.0f} ms)"
        )
    if not peaks or max(peaks) >= RSS_LIMIT_MB:
        failures.append(f"workers' peak RSS {peaks} MB (limit {RSS_LIMIT_MB})")
    print("OK: targets met" if not failures else "FAILED: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
