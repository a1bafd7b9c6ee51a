"""The production smoke: what an operator checks after a deployment, run by .ci/run against gunicorn
with DJANGO_ENV=production, a real worker and beat (README, "Production smoke").

    manage.py smoke --url http://127.0.0.1:8110 --host sentinella.example.org --https \\
        --server-log var/smoke/gunicorn.log --server-log var/smoke/worker.log

Logs in as every demo account (TOTP included), GETs the home page, every page of its menu and what
they link to (one page per route), runs every report in every format it may use and opens the files,
opens the public pages; checks the security headers and cookies on the way. Fails on any 5xx, a
report that yields no readable file, a missing header, or a traceback in a server log.
"""

import re
import time
from collections import Counter
from pathlib import Path

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_PASSWORD, demo_logins, demo_totp_secret
from portal.smoke.http import HttpClient, HttpResponse, LoginFailed
from portal.smoke.reports import report_keys, run_report
from portal.smoke.walk import Walker

PUBLIC_PAGES = ("/", "/accounts/login/", "/accounts/signup/", "/funding/calls/", "/funding/transparency/")
PROBES = ("/livez", "/readyz")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\"exc_info\": \"Traceback")


def totp_now(email: str):
    def code() -> str:
        return format_hotp_value(hotp_value(demo_totp_secret(email), int(time.time()) // 30))

    return code


class Command(BaseCommand):
    help = "Check a running portal as its users would (the production smoke of .ci/run)."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="where gunicorn listens, e.g. http://127.0.0.1:8110")
        parser.add_argument("--host", help="the Host header (one of ALLOWED_HOSTS)")
        parser.add_argument(
            "--https", action="store_true", help="send X-Forwarded-Proto: https, as the proxy"
        )
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument("--depth", type=int, default=2, help="links followed from the home page")
        parser.add_argument("--no-reports", action="store_true")
        parser.add_argument("--server-log", action="append", default=[], help="log to scan for tracebacks")

    def handle(self, *args, url, host, https, password, depth, no_reports, server_log, **options):
        started = time.monotonic()
        self.https = https
        self.problems: list[str] = []
        self.pages = Counter()
        self.files = []
        self.not_run: list[str] = []

        def client() -> HttpClient:
            return HttpClient(url, host=host, https=https)

        self._public(client(), https=https)
        for email, role in demo_logins():
            self._role(client(), email, role, password=password, depth=depth, reports=not no_reports)
        for log in server_log:
            self._scan_log(Path(log))

        seconds = time.monotonic() - started
        jobs = [f for f in self.files if f.job is not None]
        self.stdout.write(
            f"Smoke: {sum(self.pages.values())} pages ({len(self.pages)} sessions), {len(self.files)} files "
            f"({len(jobs)} through the worker), {len(self.problems)} problems, {seconds:.0f} s."
        )
        for who, count in self.pages.items():
            self.stdout.write(f"  {who:<32} {count:>4} pages")
        for f in jobs:
            self.stdout.write(
                f"  job {f.job:>4} {f.report} {f.fmt}: {f.seconds:.1f} s, {f.detail}, "
                f"progress seen {list(f.progress_seen)}"
            )
        for line in self.not_run:
            self.stdout.write(f"  {line}")
        for problem in self.problems:
            self.stderr.write(f"  PROBLEM {problem}")
        if self.problems:
            raise CommandError(f"The smoke found {len(self.problems)} problems.")

    # --- steps ------------------------------------------------------------------------------------
    def _walk(self, client: HttpClient, who: str, starts, depth: int) -> Walker:
        walker = Walker(client.get, depth=depth)
        walker.walk(starts, base=f"{client.origin}/")
        self.pages[who] += len(walker.visits)
        for visit in walker.visits:
            if visit.status >= 500:
                self.problems.append(f"{who}: GET {visit.path} answered {visit.status}")
        for path, response in walker.pages.items():
            if response.is_html and response.status == 200:
                self._check_headers(who, path, response)
        return walker

    def _public(self, client: HttpClient, *, https: bool) -> None:
        walker = self._walk(client, "anonymous", PUBLIC_PAGES, depth=1)
        for probe in PROBES:
            response = client.get(probe)
            if response.status != 200:
                self.problems.append(f"{probe} answered {response.status}: {response.text[:300]}")
        home = walker.pages.get("/")
        if home is not None and https and "max-age=" not in home.headers.get("strict-transport-security", ""):
            self.problems.append("no Strict-Transport-Security on the home page over HTTPS")
        self._walk_static(client, walker)

    def _walk_static(self, client: HttpClient, walker: Walker) -> None:
        for path in sorted(p for p in walker.assets if p.startswith("/static/")):
            response = client.get(path)
            self.pages["static files"] += 1
            if response.status != 200:
                self.problems.append(f"static file {path} answered {response.status}")

    def _role(self, client: HttpClient, email: str, role: str, *, password, depth, reports) -> None:
        try:
            response = client.log_in(email, password, totp_code=totp_now(email))
        except LoginFailed as exc:
            self.problems.append(str(exc))
            return
        self._check_session_cookie(email, response)
        self._walk(client, email, ["/"], depth=depth)
        if not reports:
            return
        for key in report_keys(client):
            for result in run_report(client, key):
                if result.ok and result.fmt == "-":
                    self.not_run.append(f"{email}: {result.report} {result.detail}")
                    continue
                self.files.append(result)
                if not result.ok:
                    self.problems.append(f"{email}: report {result.report} {result.fmt}: {result.detail}")

    # --- checks -----------------------------------------------------------------------------------
    def _check_headers(self, who: str, path: str, response: HttpResponse) -> None:
        csp = response.headers.get("content-security-policy", "")
        if "default-src 'self'" not in csp or "'unsafe-inline'" in csp.split("style-src")[0]:
            self.problems.append(f"{who}: {path} has no strict Content-Security-Policy ({csp[:80]!r})")
        if "permissions-policy" not in response.headers:
            self.problems.append(f"{who}: {path} has no Permissions-Policy")
        if not response.headers.get("x-request-id"):
            self.problems.append(f"{who}: {path} has no X-Request-ID")
        for line in response.set_cookies:
            self._check_cookie(who, path, line)

    def _check_session_cookie(self, who: str, response: HttpResponse) -> None:
        lines = [line for line in response.set_cookies if line.startswith("sessionid=")]
        if not lines:
            self.problems.append(f"{who}: logging in set no session cookie")
        for line in lines:
            self._check_cookie(who, "login", line)

    def _check_cookie(self, who: str, where: str, line: str) -> None:
        if not self.https:  # Secure cookies are a production setting
            return
        name = line.split("=", 1)[0]
        flags = {part.strip().lower() for part in line.split(";")[1:]}
        missing = [flag for flag in ("secure", "samesite=lax") if flag not in flags]
        if name == "sessionid" and "httponly" not in flags:
            missing.append("httponly")
        if missing and not line.split("=", 1)[1].startswith('""'):  # a deletion carries no value
            self.problems.append(f"{who}: cookie {name} at {where} lacks {', '.join(missing)}")

    def _scan_log(self, log: Path) -> None:
        if not log.exists():
            self.problems.append(f"server log {log} is missing")
            return
        text = log.read_text(errors="replace")
        tracebacks = len(TRACEBACK.findall(text))
        if tracebacks:
            self.problems.append(f"{tracebacks} tracebacks in {log}")
        self.stdout.write(f"  {log}: {len(text.splitlines())} lines, {tracebacks} tracebacks")
