"""PDF for people (WeasyPrint): the Region's heading, title, act references, a table with a totals
row, "pagina X di Y" and the generation stamp on every page. Text in the active language.

The document is laid out in one go, so a PDF holds at most EXPORT_PDF_MAX_ROWS rows; the export
services refuse larger ones before any work starts.
"""

import gc
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.formatting import format_money
from reporting.document import ReportDocument, Totals, ticker
from reporting.registry import ColumnType
from reporting.renderers.xlsx import generation_stamp

logger = logging.getLogger(__name__)
# WeasyPrint reports each layout step at INFO: noise in the logs of every export.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE = "reporting/pdf/base.html"
UA_STYLESHEET = Path(__file__).with_name("pdf_ua.css")
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


def font_fetcher():
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


def _formatter(column, language):
    column_type = column.type
    if column_type == ColumnType.MONEY:
        return lambda v: format_money(v, language=language, symbol=False)
    if column_type == ColumnType.DECIMAL:
        return lambda v: formats.number_format(v, column.decimal_places(v), force_grouping=True)
    if column_type == ColumnType.INT:
        return lambda v: formats.number_format(v, force_grouping=True)
    if column_type == ColumnType.DATE:
        return lambda v: formats.date_format(v, "SHORT_DATE_FORMAT")
    if column_type == ColumnType.DATETIME:
        return lambda v: formats.date_format(v, "SHORT_DATETIME_FORMAT")
    return str


# A text column holding one same value on every row of a long table is said once above it.
FOLD_MIN_ROWS = 20


@dataclass
class Table:
    columns: list  # the columns shown, in order
    body: str  # the <tr>s, escaped
    rows: int
    folded: list[tuple[str, str]]  # (label, value) of the columns said once above the table


def _cells(document: ReportDocument, progress) -> tuple[list, list[list[str]], list[str] | None, int]:
    """The PDF columns, every row's cells formatted, and the totals cells."""
    language = get_language() or settings.LANGUAGE_CODE
    columns = document.columns
    shown = [i for i, c in enumerate(columns) if c.in_pdf]
    formatters = [_formatter(columns[i], language) for i in shown]
    totals = Totals(columns)
    tick = ticker(progress)
    rows = []
    for values in document.typed_rows():
        totals.add(values)
        cells = []
        for i, fmt in zip(shown, formatters, strict=True):
            value = values[i]
            cells.append("" if value is None or value == "" else fmt(value))
        rows.append(cells)
        tick.tick()
    tick.flush()
    total_cells = None
    if document.has_totals:
        total_cells = [
            fmt(totals.sums[i]) if columns[i].total else "" for i, fmt in zip(shown, formatters, strict=True)
        ]
        if not columns[shown[0]].total:
            total_cells[0] = _("Total")
    return [columns[i] for i in shown], rows, total_cells, tick.rows


def _foldable(columns, rows: list[list[str]]) -> list[int]:
    """Text columns (not the first) with one same non-empty value on every row of a long table."""
    if len(rows) < FOLD_MIN_ROWS:
        return []
    first = rows[0]
    return [
        k
        for k, column in enumerate(columns)
        if k and column.type == ColumnType.TEXT and first[k] and all(row[k] == first[k] for row in rows)
    ]


def _opening(column) -> str:
    if column.is_numeric:
        return '<td class="n">'
    return '<td class="c">' if column.type == ColumnType.CODE else "<td>"


def table(document: ReportDocument, *, progress=None) -> Table:
    """The table body as HTML, written here rather than by a template loop (ten times faster for
    ten thousand cells): one <tr> of plain <td>s per row, the numeric ones with class "n", every
    other row with class "z" for the stripes, then the totals row (class "t").

    Every element costs WeasyPrint layout time, so a cell holds its text and nothing else, and a
    column that says the same thing on every row (every comune "Funded") is said once above."""
    columns, rows, total_cells, count = _cells(document, progress)
    grouped = bool(columns) and columns[0].group
    folded = [] if grouped else _foldable(columns, rows)
    keep = [k for k in range(len(columns)) if k not in folded and not (grouped and k == 0)]
    opening = [_opening(columns[k]) for k in keep]
    parts = []
    group, number = None, 0
    for cells in rows:
        if grouped and cells[0] != group:  # a section's heading row, and its stripes start again
            group, number = cells[0], 0
            parts.append(f'<tr class="g"><td colspan="{len(keep)}">{escape(group, quote=False)}</td></tr>\n')
        parts.append('<tr class="z">' if number % 2 else "<tr>")
        number += 1
        for k, td in zip(keep, opening, strict=True):
            parts.append(td)
            parts.append(escape(cells[k], quote=False))
            parts.append("</td>")
        parts.append("</tr>\n")
    if total_cells is not None and rows:
        parts.append('<tr class="t">')
        parts.extend(
            f"{td}{escape(total_cells[k], quote=False)}</td>" for k, td in zip(keep, opening, strict=True)
        )
        parts.append("</tr>\n")
    return Table(
        columns=[columns[k] for k in keep],
        body="".join(parts),
        rows=count,
        folded=[(str(columns[k].label), rows[0][k]) for k in folded],
    )


def render_html(document: ReportDocument, *, progress=None) -> tuple[str, int]:
    result = table(document, progress=progress)
    width_sum = sum(c.char_width for c in result.columns) or 1
    stamp = generation_stamp(document)
    context = {
        "document": document,
        "region_name": settings.REGION_NAME,
        "columns": [
            {"label": str(c.label), "numeric": c.is_numeric, "width": f"{100 * c.char_width / width_sum:.2f}"}
            for c in result.columns
        ],
        "body": mark_safe(result.body),  # noqa: S308 (every value was escaped above)
        "folded": result.folded,
        "row_count": result.rows,
        "stamp": stamp,
        "stamp_css": css_string(stamp),
        "page_counter_css": page_counter_content(),
        "page_size": "A4 landscape" if document.report.landscape else "A4",
        "dense": document.report.dense,
        "font_faces": font_faces(),
        "lang": get_language() or settings.LANGUAGE_CODE,
    }
    return render_to_string(TEMPLATE, context), result.rows


def _xml_tree(html: str):
    """The report templates write well-formed XHTML, which the C XML parser reads in a fiftieth of
    the time of WeasyPrint's HTML5 parser (pure Python: half a second for a 1,181-row table). None
    if it refuses the text (then the HTML5 parser reads it)."""
    from xml.etree import ElementTree

    try:
        # Our own template's output, every value escaped, no DTD: nothing for an XML attack to use.
        return ElementTree.fromstring(html)  # noqa: S314
    except ElementTree.ParseError:
        logger.debug("A report PDF is not well-formed XHTML: parsed as HTML5 instead.")
        return None


@cache
def _html_class():
    """WeasyPrint's HTML, faster for our reports in two ways that rely on WeasyPrint internals
    (tests/reporting/test_pdf_speed.py checks that both still take effect):

    - the user-agent stylesheet is pdf_ua.css instead of the full HTML5 one, which gives every
      element ::marker and footnote pseudo-element styles and dozens of attribute selectors to
      test (a third of the time of a 1,181-row table); `_ua_stylesheets` is WeasyPrint's hook;
    - the document tree comes from the XML parser (see _xml_tree) and replaces the one WeasyPrint
      parsed from an empty page.

    Should a WeasyPrint release change either, the PDF comes out the same, only slower."""
    import cssselect2
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(UA_STYLESHEET))

    class ReportHTML(HTML):
        def __init__(self, *, html: str, url_fetcher):
            tree = _xml_tree(html)
            if tree is None:
                super().__init__(string=html, url_fetcher=url_fetcher)
                return
            super().__init__(string="<html></html>", url_fetcher=url_fetcher)
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):
            return [stylesheet]

    return ReportHTML


def preload() -> None:
    """Import WeasyPrint and parse the user-agent stylesheet now rather than in the first PDF
    (about half a second): called when a Celery worker process starts."""
    _html_class()


@contextmanager
def _cyclic_collector_paused():
    """WeasyPrint makes millions of short-lived objects: the cyclic garbage collector would walk
    the whole heap (a worker's Django state included) again and again while it lays out a long
    table, for a fifth of the time. Reference counting still frees them meanwhile; the few cycles
    left wait for the next collection after the PDF is written."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Where a PDF job's bar stands: reading the rows fills the first part, laying the pages out the rest
# (WeasyPrint's own progress log tells each page), writing the file the last percent.
ROWS_SHARE = 20
LAYOUT_SHARE = 75
ROWS_PER_PAGE_GUESS = 40  # a table page holds 35-50 rows: the layout share is spread over that many


class _LayoutProgress(logging.Handler):
    """Hears WeasyPrint's "Creating layout - Page N" and moves the bar through the layout share: half
    of it by the pages the rows should take, and on towards its end with each further page (the guess
    may be short: wide rows wrap), so the bar keeps moving and never claims the end early."""

    def __init__(self, progress, rows: int):
        super().__init__(level=logging.INFO)
        self.progress = progress
        self.rows = rows
        self.expected_pages = max(1, rows // ROWS_PER_PAGE_GUESS)
        self.reported = -1

    def emit(self, record):
        if "Creating layout - Page" not in str(record.msg) or not record.args:
            return
        page = int(record.args[0])
        percent = ROWS_SHARE + LAYOUT_SHARE * page // (page + self.expected_pages)
        if percent != self.reported:
            self.reported = percent
            self.progress(self.rows, percent=percent)


@contextmanager
def _layout_progress(progress, rows: int):
    if progress is None:
        yield
        return
    weasy = logging.getLogger("weasyprint.progress")
    handler = _LayoutProgress(progress, rows)
    level, propagate = weasy.level, weasy.propagate
    weasy.setLevel(logging.INFO)
    weasy.propagate = False  # heard here, kept out of the logs
    weasy.addHandler(handler)
    try:
        yield
    finally:
        weasy.removeHandler(handler)
        weasy.setLevel(level)
        weasy.propagate = propagate


def write(document: ReportDocument, fileobj, *, progress=None) -> int:
    from weasyprint.text.fonts import FontConfiguration

    rows_total = document.rows_total or 0

    def rows_progress(rows_done: int) -> None:
        progress(rows_done, percent=ROWS_SHARE * rows_done // rows_total if rows_total else 0)

    html, rows = render_html(document, progress=rows_progress if progress else None)
    font_config = FontConfiguration()
    with _cyclic_collector_paused(), _layout_progress(progress, rows):
        _html_class()(html=html, url_fetcher=font_fetcher()).write_pdf(fileobj, font_config=font_config)
    return rows
