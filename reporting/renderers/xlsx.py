"""XLSX for people, written in openpyxl's write-only mode so memory stays flat for any row count.

Layout: the report title, the generation stamp and the subtitle lines on top (unless the document
asks for the table alone: `heading=False`); then the header row (frozen, with an autofilter); the
data; a totals row whose values are computed while streaming (real numbers, not formulas, so any
reader sees them). Money is a number with `#,##0.00`, dates are
real dates, date-times are Europe/Rome wall-clock time (Excel has no time zones).
"""

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reporting.document import ReportDocument, Totals, ticker
from reporting.registry import ColumnType

MONEY_FORMAT = "#,##0.00"
INT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
NUMBER_FORMATS = {
    ColumnType.MONEY: MONEY_FORMAT,
    ColumnType.DATE: DATE_FORMAT,
    ColumnType.DATETIME: DATETIME_FORMAT,
}
_INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})

TITLE_FONT = Font(bold=True, size=14)
STAMP_FONT = Font(italic=True, size=9, color="555555")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0066CC")  # Bootstrap Italia primary blue
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))


def decimal_format(column, value) -> str:
    """`#,##0` for whole numbers, else as many decimals as the column shows."""
    places = column.decimal_places(value)
    return f"#,##0.{'0' * places}" if places else INT_FORMAT


def sheet_title(title: str) -> str:
    return (title.translate(_INVALID_SHEET_CHARS).strip() or "Report")[:31]


def generation_stamp(document: ReportDocument) -> str:
    when = formats.date_format(document.generated_at_local, "SHORT_DATETIME_FORMAT")
    if document.generated_by:
        return _("Generated on %(when)s by %(who)s") % {"when": when, "who": document.generated_by}
    return _("Generated on %(when)s") % {"when": when}


def _text(sheet, value: str):
    """Text stays text: never a formula (`=...` from user input) nor an error code; characters
    that XML cannot hold become U+FFFD instead of failing the whole export."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _cell(sheet, value, *, font=None, number_format=None, fill=None, border=None, alignment=None):
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a title or label is text, even when it starts with "="
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment
    return cell


def write(document: ReportDocument, fileobj, *, progress=None) -> int:
    columns = document.columns
    workbook = Workbook(write_only=True)
    workbook.properties.title = document.title
    workbook.properties.creator = document.generated_by or "Sentinella"
    sheet = workbook.create_sheet(sheet_title(document.title))

    # Everything that goes before the rows must be set before the first append.
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.char_width + 2
    # Title, stamp, lines, one blank row, then the header; or the header alone on row 1.
    header_row = 3 + len(document.lines) + 1 if document.heading else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape" if document.report.landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    if document.heading:
        sheet.append([_cell(sheet, document.title, font=TITLE_FONT)])
        sheet.append([_cell(sheet, generation_stamp(document), font=STAMP_FONT)])
        for line in document.lines:
            sheet.append([_text(sheet, line)])
        sheet.append([])
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append(
        [_cell(sheet, str(c.label), font=HEADER_FONT, fill=HEADER_FILL, alignment=wrap) for c in columns]
    )

    formats = [NUMBER_FORMATS.get(c.type) for c in columns]
    naive = [c.type == ColumnType.DATETIME for c in columns]
    text = [c.type in (ColumnType.TEXT, ColumnType.CODE) for c in columns]
    decimal = [c if c.type == ColumnType.DECIMAL else None for c in columns]
    totals = Totals(columns)
    tick = ticker(progress)
    for values in document.typed_rows():
        totals.add(values)
        row = []
        for value, number_format, strip_tz, is_text, decimal_column in zip(
            values, formats, naive, text, decimal, strict=True
        ):
            if value is None or value == "":
                row.append(None)
                continue
            if is_text:
                row.append(_text(sheet, value) if isinstance(value, str) else value)  # a year stays a number
                continue
            if strip_tz:
                value = value.replace(tzinfo=None)
            if decimal_column is not None:
                number_format = decimal_format(decimal_column, value)
            if number_format is None:
                row.append(value)
            else:
                row.append(_cell(sheet, value, number_format=number_format))
        sheet.append(row)
        tick.tick()
    tick.flush()
    rows = tick.rows
    last_col = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header_row}:{last_col}{header_row + max(rows, 1)}"

    if document.has_totals:
        total_row = []
        for index, (column, value) in enumerate(zip(columns, totals.sums, strict=True)):
            if column.total:
                if column.type == ColumnType.DECIMAL:
                    fmt = decimal_format(column, value)
                else:
                    fmt = MONEY_FORMAT if column.type == ColumnType.MONEY else INT_FORMAT
                total_row.append(_cell(sheet, value, font=TOTAL_FONT, number_format=fmt, border=TOTAL_BORDER))
            elif index == 0:
                total_row.append(_cell(sheet, _("Total"), font=TOTAL_FONT, border=TOTAL_BORDER))
            else:
                total_row.append(_cell(sheet, None, border=TOTAL_BORDER))
        sheet.append(total_row)

    workbook.save(fileobj)
    return rows
