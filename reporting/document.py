"""A report ready to render: title, subtitle lines, generation stamp and the rows, typed and lazy.

Renderers (reporting/renderers/) take a ReportDocument; they never call selectors themselves.
"""

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils import timezone

from portal.constants import ZERO
from portal.money import quantize_money
from reporting.registry import Column, ColumnType, Report

ProgressCallback = Callable[[int], None]  # called with the number of rows written so far


@dataclass
class ReportDocument:
    report: Report
    rows: Iterable[Any]
    title: str
    lines: list[str] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=timezone.now)
    generated_by: str = ""
    rows_total: int | None = None
    # False: the XLSX holds the table alone, header on row 1 (open data meant to be read by programs,
    # e.g. the public transparency register); True: title, stamp and subtitle lines above it.
    heading: bool = True

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.report.columns

    @property
    def has_totals(self) -> bool:
        return any(c.total for c in self.columns)

    def typed_rows(self) -> Iterator[list[Any]]:
        """Each row as a list of values in column order, converted to its column's type."""
        columns = self.columns
        keys = [c.key for c in columns]
        converters = [CONVERTERS[c.type] for c in columns]
        for row in self.rows:
            values = [row.get(k) for k in keys] if isinstance(row, Mapping) else row
            yield [convert(value) for convert, value in zip(converters, values, strict=True)]

    @property
    def generated_at_local(self) -> dt.datetime:
        return timezone.localtime(self.generated_at)


def build_document(*, report: Report, user, params: Mapping[str, Any], rows_total: int | None = None):
    """The document for `report` run by `user` with cleaned `params` (rows are not read yet)."""
    return ReportDocument(
        report=report,
        rows=report.rows(user=user, params=dict(params)),
        title=str(report.title),
        lines=report.lines(params),
        generated_by=getattr(user, "email", "") or "",
        rows_total=rows_total,
    )


# --- values ------------------------------------------------------------------------------------
def _text(value):
    return "" if value is None else str(value)


def _int(value):
    return None if value in (None, "") else int(value)


def _money(value):
    return None if value in (None, "") else quantize_money(Decimal(value))


def _decimal(value):
    return None if value in (None, "") else Decimal(value)


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _datetime(value):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _code(value):
    if value in (None, ""):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


CONVERTERS = {
    ColumnType.CODE: _code,
    ColumnType.TEXT: _text,
    ColumnType.INT: _int,
    ColumnType.MONEY: _money,
    ColumnType.DECIMAL: _decimal,
    ColumnType.DATE: _date,
    ColumnType.DATETIME: _datetime,
}


class Totals:
    """Sums of the totalled columns, accumulated while the rows stream past."""

    def __init__(self, columns: Iterable[Column]):
        self.columns = list(columns)
        self.sums: list[Any] = [
            (ZERO if c.type == ColumnType.MONEY else Decimal(0) if c.type == ColumnType.DECIMAL else 0)
            if c.total
            else None
            for c in self.columns
        ]

    def add(self, values: list[Any]) -> None:
        for i, column in enumerate(self.columns):
            if column.total and values[i] is not None:
                self.sums[i] += values[i]


class ProgressTicker:
    """Call `callback(rows)` every `every_rows` rows or `every_seconds`, whichever comes first."""

    def __init__(self, callback: ProgressCallback | None, *, every_rows: int, every_seconds: float):
        self.callback = callback
        self.every_rows = every_rows
        self.every_seconds = every_seconds
        self.rows = 0
        self._last_rows = 0
        self._last_time = time.monotonic()

    def tick(self) -> None:
        self.rows += 1
        if self.callback is None:
            return
        if self.rows - self._last_rows >= self.every_rows or (
            time.monotonic() - self._last_time >= self.every_seconds
        ):
            self.flush()

    def flush(self) -> None:
        if self.callback is not None:
            self.callback(self.rows)
        self._last_rows = self.rows
        self._last_time = time.monotonic()


def ticker(callback: ProgressCallback | None) -> ProgressTicker:
    from reporting import conf

    return ProgressTicker(
        callback,
        every_rows=conf.get("EXPORT_PROGRESS_EVERY_ROWS"),
        every_seconds=conf.get("EXPORT_PROGRESS_EVERY_SECONDS"),
    )


@dataclass(frozen=True)
class StoredDocument:
    """A generated file kept in storage and served as it is (an act's PDF): never rendered again."""

    file: FieldFile
    filename: str
    sha256: str
