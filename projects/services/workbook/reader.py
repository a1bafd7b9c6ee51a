"""Reading the workbook's cells: typed values, or the cell's error by sheet, row and column; organisations
and code-list entries looked up."""

import datetime
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import Organisation
from projects.services.workbook.common import (
    ERROR_DATE,
    ERROR_DECIMAL,
    ERROR_HEADER,
    ERROR_MISSING_SHEET,
    ERROR_NOT_XLSX,
    ERROR_NUMBER,
    ERROR_REQUIRED,
    ERROR_UNKNOWN,
    SHEETS,
    CellError,
)


# --- Import ---------------------------------------------------------------------------------------
class _Reader:
    def __init__(self):
        self.errors: list[CellError] = []

    def error(self, sheet, row, column, message, **params):
        self.errors.append(CellError(sheet, row, column, str(message) % params if params else str(message)))

    def text(self, sheet, row, column, value, *, required=True) -> str:
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.error(sheet, row, column, ERROR_REQUIRED)
        return value

    def integer(self, sheet, row, column, value, *, required=True) -> int | None:
        if value in (None, ""):
            if required:
                self.error(sheet, row, column, ERROR_REQUIRED)
            return None
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value():
                raise InvalidOperation
            return int(number)
        except (InvalidOperation, ValueError):
            self.error(sheet, row, column, ERROR_NUMBER)
            return None

    def decimal(self, sheet, row, column, value) -> Decimal | None:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
            if not number.is_finite() or number != number.quantize(Decimal("0.01")):
                raise InvalidOperation
            return number.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            self.error(sheet, row, column, ERROR_DECIMAL)
            return None

    def date(self, sheet, row, column, value) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            self.error(sheet, row, column, ERROR_DATE)
            return None


def _load(data: bytes, reader: _Reader) -> dict[str, list[tuple[int, dict]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": ERROR_NOT_XLSX}) from exc
    sheets = {}
    for name, header in SHEETS.items():
        if name not in book.sheetnames:
            reader.error(name, 1, "A", ERROR_MISSING_SHEET)
            continue
        rows = list(book[name].iter_rows(values_only=True))
        found = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else [])][: len(header)]
        if found != header:
            reader.error(name, 1, "A", ERROR_HEADER, header=", ".join(header))
            continue
        sheets[name] = [
            (number, dict(zip(header, list(values) + [None] * len(header), strict=False)))
            for number, values in enumerate(rows[1:], start=2)
            if any(v not in (None, "") for v in values)
        ]
    book.close()
    return sheets


def _letter(sheet: str, column: str) -> str:
    from openpyxl.utils import get_column_letter

    header = SHEETS[sheet]
    return get_column_letter(header.index(column) + 1) if column in header else "A"


def _apply(reader: _Reader, sheet: str, row: int, fields: dict[str, str], call):
    """Run one service call in a savepoint; its field errors become cell errors of this row."""
    try:
        with transaction.atomic():
            return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                column = fields.get(field, fields.get("*", "A"))
                for message in errors:
                    reader.error(sheet, row, column, message)
        else:
            for message in exc.messages:
                reader.error(sheet, row, fields.get("*", "A"), message)
    return None


def _organisation(values) -> Organisation | None:
    pic = str(values.get("pic") or "").strip()
    tax_code = str(values.get("tax_code") or "").strip()
    name = str(values.get("organisation") or "").strip()
    for lookup in (
        {"pic": pic} if pic else None,
        {"tax_code": tax_code} if tax_code else None,
        {"name": name} if name else None,
    ):
        if lookup:
            found = Organisation.objects.filter(**lookup).first()
            if found is not None:
                return found
    return None


def _lookup(reader, sheet, row, column, table, key):
    if key in (None, ""):
        if key == "":
            reader.error(sheet, row, column, ERROR_REQUIRED)
        return None
    key = key.strip() if isinstance(key, str) else key
    if key not in table:
        reader.error(sheet, row, column, ERROR_UNKNOWN, value=key)
        return None
    return table[key]


def _numbered(reader, sheet, row, column, table, value):
    """The work package or period this cell names by its number, or the cell's error."""
    return _lookup(reader, sheet, row, column, table, reader.integer(sheet, row, column, value))


def _foreign(values) -> bool:
    """A partner row that names a country other than Italy: its body may be new to the portal."""
    country = str(values.get("country") or "").strip().upper()
    return bool(country) and country != "IT"
