"""format_html for the rows of long tables: the same escaping (the standard library's html.escape,
which django.utils.html.escape calls; what has __html__ is kept as it is), without the lazy-string
machinery each of Django's calls goes through. A page of 50 audit events escaped some 1,500 values,
a quarter of its time (issue 14). Elsewhere Django's format_html is the one to use."""

import functools
import html

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe


def _escaped(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def format_row(template: str, *args) -> SafeString:
    """django.utils.html.format_html(template, *args), positional arguments only."""
    return mark_safe(template.format(*map(_escaped, args)))  # noqa: S308 (every argument escaped)


def join_rows(separator: str, template: str, rows) -> SafeString:
    """django.utils.html.format_html_join(separator, template, rows)."""
    return mark_safe(separator.join(template.format(*map(_escaped, args)) for args in rows))  # noqa: S308


def each_row(write, items, *, before: str = "\n    ", after: str = "\n  ") -> SafeString:
    """What `{% for item in items %}{before}{% tag item %}{after}{% endfor %}` writes, `write` being
    the tag's function (it escapes what it writes): one template tag for a table's rows, not the
    template engine's call of a tag at each row (its arguments resolved, its output escaped: some
    twenty Python calls a row, a thousand a page of 50)."""
    return mark_safe("".join(f"{before}{write(item)}{after}" for item in items))  # noqa: S308


@functools.lru_cache(maxsize=128)
def _around_id(viewname: str, prefix: str, urlconf) -> tuple[str, str]:
    marker = "987654321"
    head, tail = reverse(viewname, args=[int(marker)], urlconf=urlconf).split(marker)
    return head, tail


@functools.lru_cache(maxsize=256)
def _static_url(viewname: str, prefix: str, urlconf) -> str:
    return reverse(viewname, urlconf=urlconf)


def static_url(viewname: str) -> str:
    """reverse(viewname) of a view that takes no argument, reversed once per process (and script
    prefix): the header and the menu name some twenty such URLs on every page."""
    return _static_url(viewname, get_script_prefix(), get_urlconf())


def row_url(viewname: str, pk: int) -> str:
    """reverse(viewname, args=[pk]) for a view whose only argument is an integer id, built from the
    URL reversed once per process (and script prefix): the row tags of the long tables name one URL
    a row, and reverse() costs more than the rest of a row's cell."""
    head, tail = _around_id(viewname, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"
