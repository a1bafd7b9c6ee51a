"""A small HTTP client for the smoke and the multi-process tests: talks to gunicorn (or runserver) on
a local address as the TLS proxy would (Host, X-Forwarded-Proto: https), keeps the cookies itself
(they are Secure in production and the connection is plain HTTP behind the proxy), and logs in the
way a person does: e-mail and password, then the TOTP code."""

import http.client
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from portal.smoke.walk import Response, parse


@dataclass
class HttpResponse(Response):
    headers: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)
    elapsed: float = 0.0


class LoginFailed(Exception):
    pass


class HttpClient:
    def __init__(self, base_url: str, *, host: str | None = None, https: bool = False, timeout: float = 180):
        url = urlsplit(base_url)
        self.address = (url.hostname or "127.0.0.1", url.port or 80)
        self.host = host or url.netloc
        self.https = https
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.origin = f"{'https' if https else 'http'}://{self.host}"

    def request(self, method: str, path: str, *, data=None, headers=None) -> HttpResponse:
        connection = http.client.HTTPConnection(*self.address, timeout=self.timeout)
        sent = {"Host": self.host, "User-Agent": "sentinella-smoke", "Accept-Language": "it"}
        if self.https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks the origin of an unsafe request on HTTPS.
            sent["Origin"] = self.origin
            sent["Referer"] = f"{self.origin}{path}"
        sent.update(headers or {})
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            payload = raw.read()
        finally:
            connection.close()
        set_cookies = raw.headers.get_all("Set-Cookie") or []
        for line in set_cookies:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        location = raw.headers.get("Location", "")
        if location.startswith(self.origin):
            location = location[len(self.origin) :] or "/"
        return HttpResponse(
            status=raw.status,
            content_type=raw.headers.get("Content-Type", ""),
            body=payload,
            location=location,
            headers={k.lower(): v for k, v in raw.headers.items()},
            set_cookies=set_cookies,
            elapsed=time.monotonic() - started,
        )

    def get(self, path: str) -> HttpResponse:
        return self.request("GET", path)

    def post(self, path: str, data) -> HttpResponse:
        return self.request("POST", path, data=data)

    def form_fields(self, path: str) -> tuple[HttpResponse, list[tuple[str, str]]]:
        """GET a page and return the fields of its own POST form (the one that posts back to it, not
        the header's language or logout form)."""
        page = self.get(path)
        forms = [f for f in parse(page.text).forms if f.method == "post" and f.action in (path, "")]
        return page, list(forms[0].fields) if forms else []

    def log_in(self, email: str, password: str, *, totp_code=None) -> HttpResponse:
        """E-mail and password, then, when asked, the code that `totp_code()` returns. Returns the
        response to the last step; raises LoginFailed when the portal did not let the user in."""
        _page, fields = self.form_fields("/accounts/login/")
        data = [(k, v) for k, v in fields if k not in ("login", "password")]
        response = self.post("/accounts/login/", [*data, ("login", email), ("password", password)])
        if response.status == 302 and "/2fa/authenticate" in response.location:
            if totp_code is None:
                raise LoginFailed(f"{email}: a TOTP code is asked and none was given")
            step = response.location
            response = self.submit_totp(step, totp_code())
            if response.status == 200:  # this code was used already (replay protection): the next one
                time.sleep(30 - time.time() % 30 + 1)
                response = self.submit_totp(step, totp_code())
        if response.status != 302 or response.location.startswith("/accounts/"):
            raise LoginFailed(f"{email}: login answered {response.status} {response.location!r}")
        return response

    def submit_totp(self, path: str, code: str) -> HttpResponse:
        _page, fields = self.form_fields(path)
        data = [(k, v) for k, v in fields if k != "code"]
        return self.post(path, [*data, ("code", code)])
