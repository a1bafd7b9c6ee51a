"""PDF for people (WeasyPrint): the Region's heading, title, act references, a table with a totals
row, "pagina X di Y" and the generation stamp on every page. Text in the active language.

The document is laid out in one go, so a PDF holds at most EXPORT_PDF_MAX_ROWS rows; the export
services refuse larger ones before any work starts.
"""

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.formatting import format_money
from reporting.document import ReportDocument, Totals, ticker
from reporting.registry import ColumnType
from reporting.renderers.xlsx import generation_stamp

# WeasyPrint reports each layout step at INFO: noise in the logs of every export.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE = "reporting/pdf/base.html"
FONT_FILES = {
    (400, "normal"): "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.ttf",
    (400, "italic"): "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-italic.ttf",
    (600, "normal"): "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-600.ttf",
    (700, "normal"): "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-700.ttf",
}


@cache
def font_faces() -> tuple[tuple[int, str, str], ...]:
    """(weight, style, file:// URL) of the Titillium Web files shipped with Bootstrap Italia."""
    faces = []
    for (weight, style), name in FONT_FILES.items():
        path = finders.find(name)
        if path:
            faces.append((weight, style, Path(path).resolve().as_uri()))
    return tuple(faces)


def _font_dirs() -> set[Path]:
    return {Path(url.removeprefix("file://")).parent for _w, _s, url in font_faces()}


def _fetcher():
    """Fetch only the font files: the HTML holds user data, and must never reach the network."""
    from weasyprint.urls import URLFetcher

    allowed = _font_dirs()

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = Path(url.removeprefix("file://")).resolve() if url.startswith("file://") else None
            if path is None or path.parent not in allowed:
                raise ValueError(f"Refused to fetch {url!r} while rendering a PDF.")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols={"file"})


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_counter_content() -> str:
    """CSS `content` for "pagina X di Y" / "page X of Y" in the active language."""
    template = _("page {page} of {pages}")
    parts = []
    rest = template
    for token, counter in (("{page}", "counter(page)"), ("{pages}", "counter(pages)")):
        before, _sep, rest = rest.partition(token)
        if before:
            parts.append(css_string(before))
        parts.append(counter)
    if rest:
        parts.append(css_string(rest))
    return " ".join(parts)


def _formatter(column_type, language):
    if column_type == ColumnType.MONEY:
        return lambda v: format_money(v, language=language, symbol=False)
    if column_type == ColumnType.INT:
        return lambda v: formats.number_format(v, force_grouping=True)
    if column_type == ColumnType.DATE:
        return lambda v: formats.date_format(v, "SHORT_DATE_FORMAT")
    if column_type == ColumnType.DATETIME:
        return lambda v: formats.date_format(v, "SHORT_DATETIME_FORMAT")
    return str


def _cells(document: ReportDocument, progress):
    """Formatted rows for the template, with totals computed on the way."""
    language = get_language() or settings.LANGUAGE_CODE
    formatters = [_formatter(c.type, language) for c in document.columns]
    totals = Totals(document.columns)
    tick = ticker(progress)
    rows = []
    for values in document.typed_rows():
        totals.add(values)
        rows.append(["" if v is None else fmt(v) for fmt, v in zip(formatters, values, strict=True)])
        tick.tick()
    tick.flush()
    total_cells = None
    if document.has_totals:
        total_cells = [
            (fmt(total) if column.total else "")
            for fmt, total, column in zip(formatters, totals.sums, document.columns, strict=True)
        ]
        if not document.columns[0].total:
            total_cells[0] = _("Total")
    return rows, total_cells


def render_html(document: ReportDocument, *, progress=None) -> tuple[str, int]:
    rows, total_cells = _cells(document, progress)
    numeric = [c.is_numeric for c in document.columns]
    width_sum = sum(c.char_width for c in document.columns) or 1
    context = {
        "document": document,
        "region_name": settings.REGION_NAME,
        "columns": [
            {"label": str(c.label), "numeric": c.is_numeric, "width": f"{100 * c.char_width / width_sum:.2f}"}
            for c in document.columns
        ],
        "rows": [list(zip(row, numeric, strict=True)) for row in rows],
        "totals": list(zip(total_cells, numeric, strict=True)) if total_cells else None,
        "row_count": len(rows),
        "stamp": generation_stamp(document),
        "stamp_css": css_string(generation_stamp(document)),
        "page_counter_css": page_counter_content(),
        "page_size": "A4 landscape" if document.report.landscape else "A4",
        "dense": document.report.dense,
        "font_faces": font_faces(),
        "lang": get_language() or settings.LANGUAGE_CODE,
    }
    return render_to_string(TEMPLATE, context), len(rows)


def write(document: ReportDocument, fileobj, *, progress=None) -> int:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html, rows = render_html(document, progress=progress)
    font_config = FontConfiguration()
    HTML(string=html, url_fetcher=_fetcher()).write_pdf(fileobj, font_config=font_config)
    return rows
