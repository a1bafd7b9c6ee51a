"""Walk the portal as its users do: follow the links of the pages a role sees, one page per route.

Shared by the page test (tests/portal/test_every_page.py, through Django's test client) and by the
production smoke (`manage.py smoke`, over HTTP against gunicorn). The walker only knows a `get`
callable, so both see the same pages: the home page, the menu, and what they link to.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.urls import Resolver404, resolve

# Never followed: leaving the session, switching language (a POST anyway), static assets (checked on
# their own), the media that is never public. Files (downloads, PDFs) are followed like pages.
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/static/", "/media-not-public/")
SKIP_CONTAINS = ("/logout",)


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    location: str = ""

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Visit:
    path: str
    status: int
    depth: int


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    # Select elements: name -> list of option values (first one selected unless another is).
    selects: dict[str, list[str]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    # Required choices with no option to choose (no data for them yet).
    unfillable: set[str] = field(default_factory=set)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class PageParser(HTMLParser):
    """Links, assets and forms of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.forms: list[Form] = []
        self.scripts: list[dict[str, str]] = []
        self._select: str | None = None
        self._selected: dict[str, list[str]] = {}
        self._multiple: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        form = self.forms[-1] if self.forms else None
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "script":
            self.scripts.append(a)
            if a.get("src"):
                self.assets.append(a["src"])
        elif tag == "link" and a.get("rel") in ("stylesheet", "icon") and a.get("href"):
            self.assets.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind == "submit":
                form.buttons.append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((a["name"], a.get("value", "on")))
            elif kind != "file":
                form.fields.append((a["name"], a.get("value", "")))
            if "required" in a:
                form.required.add(a["name"])
        elif form is not None and tag == "button" and a.get("name"):
            form.buttons.append((a["name"], a.get("value", "")))
        elif form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            form.selects[self._select] = []
            if "required" in a:
                form.required.add(a["name"])
            if "multiple" in a:
                self._multiple.add(a["name"])
        elif form is not None and tag == "option" and self._select:
            form.selects[self._select].append(a.get("value", ""))
            if "selected" in a:
                self._selected.setdefault(self._select, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self.forms:
            form = self.forms[-1]
            for name, options in form.selects.items():
                # What a browser sends: the selected options (none for a multiple select without
                # one). A required choice left blank takes its first real option, as a person would.
                values = self._selected.get(name, [] if name in self._multiple else options[:1])
                if not options:  # a choice with nothing to choose (no data for it yet)
                    form.unfillable.add(name)
                elif name in form.required and not any(values):
                    values = [o for o in options if o][:1]
                    if not values:
                        form.unfillable.add(name)
                form.fields.extend((name, value) for value in values)
            form.selects = {}
            self._selected = {}
            self._multiple = set()


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def local_path(base: str, href: str) -> str | None:
    """The path (with query) of a same-site link, or None for another site, an anchor, mailto:..."""
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("http", "https", "") or (url.netloc and url.netloc != urlsplit(base).netloc):
        return None
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def route_key(path: str) -> tuple:
    """Pages of one route (and one set of query parameters) count once: /calls/7/ is /calls/<pk>/;
    a word in the path names another page (/reports/run/<key>/: each report has its own form)."""
    url = urlsplit(path)
    try:
        match = resolve(url.path)
    except Resolver404:
        route, words = url.path, ()
    else:
        route = match.route
        words = tuple(sorted((k, v) for k, v in match.kwargs.items() if isinstance(v, str)))
    return route, words, tuple(sorted({key for key, _ in parse_qsl(url.query, keep_blank_values=True)}))


def followable(path: str) -> bool:
    return not path.startswith(SKIP_PREFIXES) and not any(part in path for part in SKIP_CONTAINS)


class Walker:
    """Breadth-first through the links of HTML pages, one page per route key, up to `depth` links
    away from the start pages. `get(path)` returns a Response; redirects are followed as links."""

    def __init__(self, get: Callable[[str], Response], *, depth: int = 2, max_pages: int = 400):
        self.get = get
        self.depth = depth
        self.max_pages = max_pages
        self.visits: list[Visit] = []
        self.assets: set[str] = set()
        self.pages: dict[str, Response] = {}
        self._seen_keys: set[tuple] = set()

    def walk(self, starts: Iterable[str], *, base: str = "http://testserver/") -> list[Visit]:
        queue = deque((path, 0) for path in starts)
        while queue and len(self.visits) < self.max_pages:
            path, depth = queue.popleft()
            key = route_key(path)
            if key in self._seen_keys:
                continue
            self._seen_keys.add(key)
            response = self.get(path)
            self.visits.append(Visit(path=path, status=response.status, depth=depth))
            self.pages[path] = response
            if response.location and depth < self.depth:
                target = local_path(urljoin(base, path), response.location)
                if target and followable(target):
                    queue.append((target, depth + 1))
            if not response.is_html or response.status != 200:
                continue
            page = parse(response.text)
            self.assets.update(
                p for p in (local_path(urljoin(base, path), a) for a in page.assets) if p is not None
            )
            if depth >= self.depth:
                continue
            for href in page.links:
                target = local_path(urljoin(base, path), href)
                if target and followable(target) and route_key(target) not in self._seen_keys:
                    queue.append((target, depth + 1))
        return self.visits
