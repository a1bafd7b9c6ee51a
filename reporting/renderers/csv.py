"""CSV for machines: UTF-8 without BOM, comma-separated, '.' as decimal point, ISO 8601 dates.

The header holds the column keys (stable across languages), not the translated labels; money has
exactly two decimals; date-times carry their Europe/Rome offset (2026-01-05T10:30:00+01:00).
There is no totals row: a consumer sums the column itself. XLSX and PDF are for people.

Text that a spreadsheet would run as a formula (OWASP "CSV injection": a cell starting with `=`, `+`,
`-`, `@`, a tab or a carriage return) gets a leading single quote, so that it is shown, not run. Only
text columns: numbers and dates are written by this module and a negative amount stays a number.
"""

import csv
import io
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from reporting.document import ReportDocument, ticker
from reporting.registry import ColumnType

DELIMITER = ","
CHUNK_CHARS = 64 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell safe to open in a spreadsheet: a formula-like value is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _formatter(column):
    column_type = column.type
    if column_type == ColumnType.MONEY:
        return lambda v: "" if v is None else f"{v:.2f}"
    if column_type == ColumnType.DECIMAL:
        return lambda v: "" if v is None else f"{v:.{column.decimal_places(v)}f}"
    if column_type in (ColumnType.DATE, ColumnType.DATETIME):
        return lambda v: "" if v is None else v.isoformat()
    if column_type == ColumnType.INT:
        return lambda v: "" if v is None else str(v)
    if column_type == ColumnType.CODE:
        return lambda v: "" if v is None else neutralise(str(v))
    return neutralise


def iter_csv(document: ReportDocument, *, progress=None) -> Iterator[str]:
    """The CSV text in chunks of about 64 KiB, read from the rows as they come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    formatters = [_formatter(c) for c in document.columns]
    writer.writerow([c.key for c in document.columns])
    tick = ticker(progress)
    for values in document.typed_rows():
        writer.writerow([fmt(v) for fmt, v in zip(formatters, values, strict=True)])
        tick.tick()
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    tick.flush()
    yield buffer.getvalue()


def write(document: ReportDocument, fileobj, *, progress=None) -> int:
    """Write the CSV to a binary file (export jobs); returns the number of rows."""
    rows = 0

    def count(n):
        nonlocal rows
        rows = n
        if progress is not None:
            progress(n)

    for chunk in iter_csv(document, progress=count):
        fileobj.write(chunk.encode("utf-8"))
    return rows


def streaming_response(document: ReportDocument, *, filename: str) -> StreamingHttpResponse:
    """Stream the CSV to the browser while the rows are read from the database."""
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in iter_csv(document)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
