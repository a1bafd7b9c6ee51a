"""HTTP load benchmark (issue 14): the portal as deployed, under a real load generator.

    .venv/bin/python bench/bench_http.py            # 10,000 applications, 100,000 audit events
    .venv/bin/python bench/bench_http.py --quick    # 500 applications, 10,000 events, short runs
    .venv/bin/python bench/bench_http.py --keep-grown   # keep the grown database; clone it next time

It creates a throwaway PostgreSQL database (BENCH_DATABASE_URL names the server, default
postgres://postgres@127.0.0.1:5432/postgres), migrates it, seeds the demo and grows it through the
services (applications to the taxi call with their documents, audit events through the audit
service, the COVID-19 split adopted and its 1,181 grants published), boots gunicorn with the
production settings (2 workers) and measures with locust, used as a library: req/s, p50 and p95 of a
framework floor (/livez: a constant, no database), /api/v1/me/, every list endpoint of the API and
the main pages of each role, interleaved over three rounds, each as a ratio to the floor and to
/me/ (/me/ is measured again every four targets, and a target's ratio in a round is taken against the
/me/ measured just before and after it; its figure is the median of the three rounds' ratios);
then 50 users for 60 s on a mix of public pages, officials' pages and the API, each user
waiting 1-3 s after an answer as a person reading the page does (target: p95 under 300 ms), and the
same mix without waiting (the saturated throughput, for information). It prints a table, drops the
database, and exits 1 on any error response (or a target missed, with --strict).

Three processes, so that nothing is shared that should not be: this one (no Django, no gevent), the
grower (Django, `--grow`) and the load generator (locust, which patches the standard library with
gevent, `--load`). The machine is shared and noisy: compare ratios within one run, not absolutes.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLOOR, ME = "floor /livez", "api /me/"
PAIR_EVERY = 4  # targets measured between two measurements of /me/

# The main pages of each role (the COVID allocation's page is added by the grower).
PAGES = {
    "public": ["/", "/funding/calls/", "/funding/transparency/"],
    "official": [
        "/",
        "/funding/programmes/",
        "/funding/chapters/",
        "/funding/commitments/",
        "/funding/calls/manage/",
        "/funding/applications/",
        "/funding/applications/review/",
        "/funding/allocations/",
        "/funding/expenses/",
        "/funding/transparency/publish/",
        "/reports/",
        "/reports/exports/",
        "/reports/audit/",
        "/reports/audit/verify/",
        "/access-requests/",
        "/notifications/",
    ],
    "auditor": ["/", "/reports/audit/"],
    "applicant": ["/", "/funding/applications/", "/funding/expenses/"],
    "projects": ["/", "/projects/", "/projects/deliverables/"],
    "inventory": ["/", "/inventory/", "/inventory/funded/", "/inventory/map/"],
}
ACCOUNTS = {
    "official": "funzionario@sentinella.demo",
    "auditor": "revisore@sentinella.demo",
    "applicant": "comune.torino@sentinella.demo",
    "projects": "progetti@sentinella.demo",
    "inventory": "inventario@sentinella.demo",
}


# --- orchestration (no Django here) ---------------------------------------------------------------
def _admin_dsn() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _database(action: str, name: str, template: str | None = None) -> None:
    import psycopg

    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _run(args: list[str], env: dict, what: str) -> None:
    started = time.monotonic()
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"{what} failed")
    print(f"  {what}: {time.monotonic() - started:.0f} s", flush=True)


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grow and shorter runs (minutes)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8800")))
    parser.add_argument("--prefix", default=os.environ.get("BENCH_DB_PREFIX", "sentinella_bench_"))
    parser.add_argument("--applications", type=int)
    parser.add_argument("--events", type=int)
    parser.add_argument("--seconds", type=float, help="per endpoint and round")
    parser.add_argument("--mixed-seconds", type=float)
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a target is missed")
    parser.add_argument(
        "--keep-grown",
        action="store_true",
        help="keep the grown database as a template (<prefix>grown_<applications>_<events>) and clone it "
        "when it exists instead of growing again; drop it with dropdb when done",
    )
    parser.add_argument("--grow", metavar="PLAN", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", metavar="PLAN", help=argparse.SUPPRESS)
    parser.add_argument("--load", metavar="PLAN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.grow:
        return grow(args)
    if args.prepare:
        return prepare(args)
    if args.load:
        return load(args)

    applications = args.applications or (500 if args.quick else 10_000)
    events = args.events or (10_000 if args.quick else 100_000)
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    mixed_seconds = args.mixed_seconds or (20.0 if args.quick else 60.0)
    name = f"{args.prefix}{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="sentinella-bench-http-"))
    base = f"http://127.0.0.1:{args.port}"
    dsn = _admin_dsn().rsplit("/", 1)[0] + f"/{name}"
    # Seeding and growing run with the development settings (seed_demo refuses production: its
    # accounts have a published password); gunicorn serves with the production ones.
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": base,
        "DATABASE_URL": dsn,
        "CELERY_BROKER_URL": "",
        "BROKER_DIR": str(work / "broker"),
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "PORT": str(args.port),
        "PYTHONUNBUFFERED": "1",
    }
    print(f"bench_http: database {name}, gunicorn on {base}, work folder {work}", flush=True)
    # A grown database kept by --keep-grown is cloned (seconds) instead of grown again (the full
    # size takes most of an hour); pending migrations are applied to the clone.
    template = f"{args.prefix}grown_{applications}_{events}"
    reuse = args.keep_grown and _database_exists(template)
    _database("create", name, template=template if reuse else None)
    server = None
    plan = work / "plan.json"
    try:
        _run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, "migrate")
        production = {**env, "DJANGO_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50)}
        # With the production settings: their static storage needs the hashed files' manifest.
        _run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], production, "collectstatic")
        if reuse:
            print(f"  grown database cloned from {template}", flush=True)
        else:
            _run([PYTHON, "manage.py", "seed_demo"], env, "seed_demo")
            grow_args = ["--applications", str(applications), "--events", str(events)]
            _run(
                [PYTHON, __file__, "--grow", str(plan), *grow_args],
                env,
                f"grow ({applications:,} applications, {events:,} audit events, "
                "COVID split adopted and published)",
            )
            if args.keep_grown:
                _database("create", template, template=name)
                print(f"  grown database kept as {template} (--keep-grown clones it next time)", flush=True)
        server = subprocess.Popen(  # noqa: S603
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py", "portal.wsgi"],
            env=production,
            cwd=ROOT,
            stdout=open(work / "gunicorn.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        _wait_for(f"{base}/livez")
        _run(
            [PYTHON, __file__, "--prepare", str(plan), "--port", str(args.port)],
            env,
            "VACUUM ANALYZE, API token and log-ins",
        )
        load_args = ["--seconds", str(seconds), "--mixed-seconds", str(mixed_seconds)]
        if args.strict:
            load_args.append("--strict")
        result = subprocess.run([PYTHON, __file__, "--load", str(plan), *load_args], cwd=ROOT, check=False)  # noqa: S603
        return result.returncode
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _database("drop", name)
        print(f"bench_http: database {name} dropped; gunicorn's log in {work / 'gunicorn.log'}")


# --- the grower (Django) ------------------------------------------------------------------------------
def grow(args) -> int:
    _django()
    started = time.monotonic()
    _grow_applications(args.applications)
    print(f"    applications: {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    _grow_events(args.events)
    print(f"    audit events: {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    _adopt_and_publish_covid()
    print(f"    COVID split adopted and published: {time.monotonic() - started:.0f} s", flush=True)
    return 0


def prepare(args) -> int:
    """What the load needs of the grown database, with gunicorn answering: statistics, the API's
    lists, a personal token and each role's session."""
    _django()
    from funding.models import Allocation

    started = time.monotonic()
    _vacuum_analyze()
    print(f"    VACUUM ANALYZE: {time.monotonic() - started:.0f} s", flush=True)
    plan = {"base": f"http://127.0.0.1:{args.port}"}
    plan["allocation"] = Allocation.objects.get(call__code="covid-19-polizia-locale", status="adopted").pk
    plan["api"] = _api_lists()
    plan["token"] = _token(ACCOUNTS["official"])
    plan["cookies"] = _log_in(plan["base"])
    Path(args.prepare).write_text(json.dumps(plan))
    return 0


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _grow_applications(count: int) -> None:
    """Taxi licensees who apply to the open taxi call with their documents, through the services (the
    demo's own path: create, fill in, upload, submit), a third of them reviewed by the official."""
    from funding.demo import _apply
    from funding.models import Call
    from portal import services
    from portal.choices import OrganisationKind
    from portal.models import Comune

    call = Call.objects.get(code="taxi-registratori-evento")
    turin = Comune.objects.get(istat_code="001272")
    opens = call.opens_at
    letters = "ABCDEFGHJKLMNPRSTVWXYZ"
    for n in range(count):
        licence = f"TO-B{n:05d}"
        licensee = services.organisation_create(
            actor=None,
            kind=OrganisationKind.TAXI_LICENSEE,
            name=f"Tassista {n:05d}",
            comune=turin,
            licence_number=licence,
        )
        a, b, c, d = (letters[n // 22**k % 22] for k in range(4))
        plate = f"{a}{b}{n % 1000:03d}{c}{d}"  # unique up to 22**4 licensees
        _apply(
            call,
            licensee,
            licence_number=licence,
            vehicle_plate=plate,
            recorder_make="Dashcam Pro",
            recorder_model="DR-900 Taxi",
            conformity_standard="CEI EN 50498",
            quote_net="1890.00",
            quote_vat="415.80",
            at=opens + (time_delta(seconds=60 * n + 3600)),
            admit=n % 3 == 0,
        )


def time_delta(**kwargs):
    import datetime

    return datetime.timedelta(**kwargs)


def _grow_events(count: int) -> None:
    from portal.audit import AuditEntry, audit_record_many
    from portal.models import Organisation

    target = Organisation.objects.order_by("pk").first()
    for start in range(0, count, 1000):
        audit_record_many(
            [
                AuditEntry(action="bench.event", target=target, after={"n": n})
                for n in range(start, min(count, start + 1000))
            ]
        )


def _adopt_and_publish_covid() -> int:
    import datetime

    from funding.models import Call
    from funding.selectors.transparency import grants_pending_publication
    from funding.services.allocation import allocation_adopt
    from funding.services.transparency import grants_publish
    from portal.models import User

    official = User.objects.get(email=ACCOUNTS["official"])
    call = Call.objects.get(code="covid-19-polizia-locale")
    allocation = call.allocations.get(status="proposed")
    allocation_adopt(
        actor=official, allocation=allocation, act_number="129/2020", act_date=datetime.date(2020, 4, 23)
    )
    _tax_codes(official)
    grants_publish(actor=official, commitments=list(grants_pending_publication()))
    return allocation.pk


def _tax_codes(official) -> None:
    """Art. 27 publishes a body with its codice fiscale: the comuni the demo knows none of get a made-up
    valid one (11 digits, Luhn check digit), imported through the service as an official would."""
    from stdnum import luhn

    from portal.tax_codes import bodies_without_tax_code, tax_codes_import

    lines = ["istat,codice_fiscale"]
    for n, body in enumerate(bodies_without_tax_code().filter(comune__isnull=False)):
        base = f"{8000000 + n:07d}001"
        lines.append(f"{body.comune.istat_code},{base}{luhn.calc_check_digit(base)}")
    if len(lines) > 1:
        tax_codes_import(actor=official, data="\n".join(lines).encode())


def _vacuum_analyze() -> None:
    """The statistics a production server's autovacuum keeps: without them the planner guesses the
    grown tables' sizes (and this machine's PostgreSQL runs with autovacuum off)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _api_lists() -> list[str]:
    """Every list endpoint of the API: the routes of the v1 namespace named "<basename>-list"."""
    from django.urls import NoReverseMatch, get_resolver, reverse

    _prefix, api = get_resolver().namespace_dict["v1"]
    paths = []
    for name in {n for n in api.reverse_dict if isinstance(n, str) and n.endswith("-list")}:
        try:
            paths.append(reverse(f"v1:{name}"))
        except NoReverseMatch:
            continue
    return sorted(paths)


def _token(email: str) -> str:
    """A personal API token of the account, made as its owner makes one (after a TOTP login)."""
    from portal.models import User
    from portal.tokens import api_token_create

    user = User.objects.get(email=email)
    return api_token_create(actor=user, name="bench_http", passed_totp=True)[1]


def _log_in(base: str) -> dict[str, str]:
    """Each role logs in as a person does (password, then TOTP): its session cookie."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from portal.demo import DEMO_PASSWORD, demo_totp_secret
    from portal.smoke.http import HttpClient

    cookies = {}
    for role, email in ACCOUNTS.items():
        client = HttpClient(base, https=True)

        def code(email=email):
            return format_hotp_value(hotp_value(demo_totp_secret(email), int(time.time()) // 30))

        client.log_in(email, DEMO_PASSWORD, totp_code=code)
        cookies[role] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return cookies


# --- the load generator (locust as a library) -----------------------------------------------------------
def load(args) -> int:
    import gevent
    from locust import FastHttpUser, between, constant, task
    from locust.env import Environment

    plan = json.loads(Path(args.load).read_text())
    proxy = {"X-Forwarded-Proto": "https", "Accept-Language": "it"}
    api = {**proxy, "Authorization": f"Token {plan['token']}", "Accept": "application/json"}

    def session(role):
        return {**proxy, "Cookie": plan["cookies"][role]} if role != "public" else proxy

    targets = [(FLOOR, "/livez", proxy), (ME, "/api/v1/me/", api)]
    targets += [(f"api {p.removeprefix('/api/v1')}", p, api) for p in plan["api"]]
    pages = {role: list(paths) for role, paths in PAGES.items()}
    pages["official"].append(f"/funding/allocations/{plan['allocation']}/")
    # The register of the COVID split's year (its allocation stores 1,181 comuni's inputs) beside the
    # default year's: the same req/s, however big an allocation's inputs.
    pages["public"] += [
        "/funding/transparency/?format=json",
        "/funding/transparency/?format=csv",
        "/funding/transparency/?year=2020",
        "/funding/transparency/?year=2020&format=json",
    ]
    for role, paths in pages.items():
        targets += [(f"{role} {p}", p, session(role)) for p in paths]

    def run(tasks: list[tuple[str, dict, int]], users: int, seconds: float, warmup: float = 1.0, think=None):
        class Visitor(FastHttpUser):
            host = plan["base"]
            wait_time = think or constant(0)

            @task
            def visit(self):
                path, headers, _weight = pick()
                with self.client.get(
                    path, headers=headers, name=path, allow_redirects=False, catch_response=True
                ) as response:
                    if response.status_code != 200:
                        response.failure(f"HTTP {response.status_code}")

        import random

        population = [t for t in tasks for _ in range(t[2])]

        def pick():
            return random.choice(population)  # noqa: S311

        env = Environment(user_classes=[Visitor])
        runner = env.create_local_runner()
        runner.start(users, spawn_rate=users)
        gevent.sleep(warmup)
        env.stats.reset_all()
        began = time.monotonic()
        gevent.sleep(seconds)
        elapsed = time.monotonic() - began
        total = env.stats.total
        figures = {
            "rps": total.num_requests / elapsed,
            "p50": total.get_response_time_percentile(0.5) or 0,
            "p95": total.get_response_time_percentile(0.95) or 0,
            "errors": total.num_failures,
            "requests": total.num_requests,
            "failures": [f"{e.name}: {e.error}" for e in env.stats.errors.values()][:5],
        }
        runner.quit()
        return figures

    # /me/ is measured again before every few targets and after the last: each target's ratio in a
    # round divides its req/s by the mean of the /me/ measured just before and just after it, so both
    # sides share the machine's state of that minute (the medians of a whole run drift apart on a
    # noisy VM). The target's figure is the median of its three rounds' ratios.
    results: dict[str, list[dict]] = {name: [] for name, _p, _h in targets}
    paired: dict[str, list[float]] = {name: [] for name, _p, _h in targets}
    me_target, others = targets[1], [t for t in targets if t[0] != ME]
    blocks = [others[i : i + PAIR_EVERY] for i in range(0, len(others), PAIR_EVERY)]
    for round_ in range(1, 4):
        print(
            f"round {round_}/3 ({len(targets)} targets, /me/ again every {PAIR_EVERY}, "
            f"{args.seconds:g} s each)",
            flush=True,
        )
        before = run([(me_target[1], me_target[2], 1)], users=8, seconds=args.seconds)
        results[ME].append(before)
        for block in blocks:
            measured = [
                (name, run([(path, headers, 1)], users=8, seconds=args.seconds))
                for name, path, headers in block
            ]
            after = run([(me_target[1], me_target[2], 1)], users=8, seconds=args.seconds)
            results[ME].append(after)
            reference = (before["rps"] + after["rps"]) / 2
            for name, figures in measured:
                results[name].append(figures)
                paired[name].append(figures["rps"] / reference if reference else 0)
            before = after

    mixed_tasks = (
        [(p, session("public"), 3) for p in pages["public"][:3]]
        + [(p, session("official"), 1) for p in pages["official"]]
        + [(p, api, 1) for p in ["/api/v1/me/", *plan["api"][:12]]]
    )
    # People read a page before they ask for the next: each of the 50 users waits one to three
    # seconds after an answer (faster than an official at work). Then the same mix without waiting,
    # for the throughput the machine reaches when saturated (information, no target).
    print(f"mixed: 50 users thinking 1-3 s, {args.mixed_seconds:g} s", flush=True)
    mixed = run(mixed_tasks, users=50, seconds=args.mixed_seconds, warmup=5.0, think=between(1, 3))
    print(f"saturation: 50 users without thinking, {args.mixed_seconds:g} s", flush=True)
    saturated = run(mixed_tasks, users=50, seconds=args.mixed_seconds, warmup=5.0)
    return _report(results, paired, mixed, saturated, strict=args.strict)


def _report(
    results: dict[str, list[dict]],
    paired: dict[str, list[float]],
    mixed: dict,
    saturated: dict,
    *,
    strict: bool,
) -> int:
    floor = statistics.median(r["rps"] for r in results[FLOOR])
    me = statistics.median(r["rps"] for r in results[ME])
    errors = sum(r["errors"] for rounds in results.values() for r in rounds) + mixed["errors"]
    errors += saturated["errors"]
    missed = []
    print()
    # x /me/: the median of the rounds' paired ratios (the target); medians: the median req/s over
    # the median of every /me/ of the run, as earlier versions of this benchmark printed it.
    print(
        f"{'target':58} {'req/s min/med/max':>20} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'x floor':>7} {'x /me/ (rounds)':>21} {'medians':>7} err"
    )
    for name, rounds in results.items():
        rps = sorted(r["rps"] for r in rounds)
        med = statistics.median(rps)
        p50 = statistics.median(r["p50"] for r in rounds)
        p95 = statistics.median(r["p95"] for r in rounds)
        err = sum(r["errors"] for r in rounds)
        ratios = sorted(paired[name])
        ratio = statistics.median(ratios) if ratios else 1.0
        spread = f"{ratios[0]:.2f}/{ratios[-1]:.2f}" if ratios else ""
        flag = " <0.5" if name not in (FLOOR, ME) and ratio < 0.5 else ""
        if flag:
            missed.append(name)
        print(
            f"{name[:58]:58} {rps[0]:6.0f}/{med:5.0f}/{rps[-1]:5.0f}   {p50:7.0f} {p95:7.0f} "
            f"{med / floor if floor else 0:7.2f} {ratio:6.2f} ({spread:>11}) {med / me if me else 0:7.2f} "
            f"{err}{flag}"
        )
        for failure in {f for r in rounds for f in r["failures"]}:
            print(f"    ! {failure}")
    print()
    for title, figures in (("mixed, 50 users thinking 1-3 s", mixed), ("saturation, 50 users", saturated)):
        print(
            f"{title}: {figures['rps']:.0f} req/s, p50 {figures['p50']:.0f} ms, "
            f"p95 {figures['p95']:.0f} ms, {figures['errors']} errors of {figures['requests']}"
        )
        for failure in figures["failures"]:
            print(f"    ! {failure}")
    if mixed["p95"] >= 300:
        missed.append("mixed p95 >= 300 ms")
    print(f"targets missed ({len(missed)}): {', '.join(missed) or 'none'}")
    if errors:
        print(f"FAILED: {errors} error responses")
        return 1
    return 1 if strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
