"""Reports as data: what a report is (columns, parameters, the selector that yields its rows) and
the registry where every app declares its own.

An app declares its reports in `<app>/reports.py`; `ReportingConfig.ready()` imports that module
of every installed app, so the reports register themselves::

    # funding/reports.py
    from reporting.registry import Column, ColumnType, Report, register

    register(Report(
        key="funding.commitments",
        title=_("Commitments"),
        capability=EXPORT,
        columns=(Column("act", _("Act")), Column("amount", _("Amount"), ColumnType.MONEY, total=True)),
        rows=commitment_rows,        # commitment_rows(*, user, params) -> iterable of tuples or dicts
        count=commitment_count,      # commitment_count(*, user, params) -> int
        form_class=CommitmentReportForm,   # or filterset_class=CommitmentFilterSet
    ))

Renderers (PDF, XLSX, CSV), export jobs, pages and API then work for it with no further code.

A parameters form that must offer each user only what they may see (their own organisations, say)
subclasses `ReportForm`: it is built with the user who runs the report (`form.user`; None when only
the labels are needed). The rows selector still scopes to the user: the form only keeps the choices
honest.
"""

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from portal.audit import to_json
from portal.permissions import CAPABILITIES, can

ERROR_UNKNOWN_REPORT = _("There is no report with this name.")
ERROR_DUPLICATE_REPORT = "A report with key {key!r} is already registered."


class ColumnType(enum.StrEnum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"  # Decimal euros to the cent
    DECIMAL = "decimal"  # a Decimal figure shown with Column.places decimals (weights, exact quotas)
    DATE = "date"
    DATETIME = "datetime"  # shown in Europe/Rome
    # An identifier written as it is: a year, a chapter (151120/2020), a protocol, a tax code, a row
    # number. Never grouped like a quantity ("2.020"), never broken over two lines in a PDF.
    CODE = "code"


NUMERIC_TYPES = frozenset({ColumnType.INT, ColumnType.MONEY, ColumnType.DECIMAL})


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # str or lazy translation
    type: ColumnType = ColumnType.TEXT
    total: bool = False  # sum it in a totals row (numeric columns only)
    width: int | None = None  # characters; a sensible default per type when None
    # DECIMAL columns: decimals shown; None shows whole numbers without decimals and others with two
    # (a weight is a population, a number of officers or an amount in euros).
    places: int | None = None
    # False: the column is in XLSX and CSV only (codes for machines, detail a printed page has no
    # room for). Each PDF cell costs layout time: a 1,181-row annex pays for every column.
    in_pdf: bool = True
    # True for the first column only: in a PDF its value is a heading row over the rows that share it
    # (a report in sections), not a cell repeated on every row; XLSX and CSV keep it as a column.
    group: bool = False

    def __post_init__(self):
        if self.total and self.type not in NUMERIC_TYPES:
            raise ValueError(f"Column {self.key!r}: only numeric columns can be totalled.")
        if self.places is not None and self.type != ColumnType.DECIMAL:
            raise ValueError(f"Column {self.key!r}: only decimal columns have places.")

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def char_width(self) -> int:
        if self.width:
            return self.width
        return {
            ColumnType.INT: 10,
            ColumnType.MONEY: 16,
            ColumnType.DECIMAL: 14,
            ColumnType.DATE: 12,
            ColumnType.DATETIME: 18,
        }.get(self.type, max(12, min(40, len(str(self.label)) + 4)))

    def decimal_places(self, value: Decimal) -> int:
        """Decimals to show for `value` of a DECIMAL column."""
        if self.places is not None:
            return self.places
        return 0 if value == value.to_integral_value() else 2


Row = Sequence[Any] | Mapping[str, Any]
RowsSelector = Callable[..., Iterable[Row]]  # rows(*, user, params) -> rows, lazily
CountSelector = Callable[..., int]  # count(*, user, params) -> number of rows


@dataclass(frozen=True)
class Report:
    """A report definition. `rows` and `count` receive the cleaned parameters (a dict)."""

    key: str
    title: Any
    capability: str
    columns: tuple[Column, ...]
    rows: RowsSelector
    count: CountSelector
    description: Any = ""
    form_class: type[forms.Form] | None = None
    filterset_class: type | None = None  # a django_filters.FilterSet; its form holds the parameters
    # Act references and other fixed subtitle lines (e.g. "DCR 15 dicembre 2020 n. 89-19389").
    references: tuple[Any, ...] = ()
    # Extra subtitle lines computed from the cleaned parameters.
    subtitle: Callable[[dict[str, Any]], list[str]] | None = None
    formats: tuple[str, ...] = ("pdf", "xlsx", "csv")
    landscape: bool = True  # PDF page orientation
    dense: bool = False  # PDF in a smaller type, for reports with many or long columns
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.capability not in CAPABILITIES:
            raise ValueError(f"Report {self.key!r}: unknown capability {self.capability!r}.")
        if self.form_class and self.filterset_class:
            raise ValueError(f"Report {self.key!r}: give a form_class or a filterset_class, not both.")
        if any(c.group for c in self.columns[1:]):
            raise ValueError(f"Report {self.key!r}: only the first column can group the rows.")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"Report {self.key!r}: column keys must be unique.")

    # --- parameters ----------------------------------------------------------------------------
    def form(self, data: Mapping[str, Any] | None = None, *, user=None) -> forms.Form:
        """The parameters form, bound to `data` when given (unbound otherwise); a ReportForm is
        told who runs the report."""
        if self.filterset_class is not None:
            model = self.filterset_class._meta.model
            return self.filterset_class(data=data, queryset=model._default_manager.none()).form
        if self.form_class is not None:
            if issubclass(self.form_class, ReportForm):
                return self.form_class(data=data, user=user)
            return self.form_class(data=data)
        return _NoParameters(data=data)

    def clean_params(self, data: Mapping[str, Any] | None, *, user=None) -> dict[str, Any]:
        """Validate `data` (as `user` would submit it); the cleaned values, or ValidationError with
        the form's errors."""
        form = self.form(data=data or {}, user=user)
        if not form.is_valid():
            raise ValidationError(
                {name: list(errors) for name, errors in form.errors.items()}, code="invalid_params"
            )
        return dict(form.cleaned_data)

    def params_to_json(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        """Cleaned parameters as JSON that `clean_params` accepts again (stored on export jobs)."""
        fields = self.form().fields
        data = {}
        for name, value in cleaned.items():
            if value is False or value in (None, "", [], ()):
                continue  # unset; an unticked checkbox cleans to False again
            # The value the form offers and accepts: the code of a call where the field is keyed by
            # code (to_field_name), so that the stored job cleans again to the same choice.
            key = getattr(fields.get(name), "to_field_name", None) or "pk"
            if isinstance(value, models.Model):
                value = getattr(value, key)
            elif isinstance(value, models.QuerySet | list | tuple):
                value = [getattr(v, key) if isinstance(v, models.Model) else v for v in value]
            data[name] = value
        return to_json(data)

    def describe_params(self, cleaned: Mapping[str, Any]) -> list[str]:
        """One "Label: value" line per parameter that was set, for the document's subtitle."""
        form = self.form()
        lines = []
        for name, bound in form.fields.items():
            value = cleaned.get(name)
            if value is False or value in (None, "", [], ()):
                continue
            lines.append(f"{bound.label or name}: {_display(bound, value)}")
        return lines

    def lines(self, cleaned: Mapping[str, Any]) -> list[str]:
        """Subtitle lines of the document: act references, computed lines, then the filters used."""
        lines = [str(ref) for ref in self.references]
        if self.subtitle is not None:
            lines.extend(self.subtitle(dict(cleaned)))
        lines.extend(self.describe_params(cleaned))
        return lines

    # --- access --------------------------------------------------------------------------------
    def available_to(self, user) -> bool:
        return can(user, self.capability)


class ReportForm(forms.Form):
    """A parameters form that knows who runs the report, to offer them only what they may see."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class _NoParameters(forms.Form):
    pass


def _display(field: forms.Field, value: Any) -> str:
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        labels = {str(k): str(v) for k, v in field.choices}
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime | dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        whole = value == value.to_integral()
        if whole and isinstance(field, forms.DecimalField) and not field.decimal_places:
            return str(int(value))  # a year or an id from a number filter, not an amount
        return formats.number_format(value, 2)
    if isinstance(value, models.QuerySet | list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def filter_queryset(filterset_class, queryset: models.QuerySet, params: Mapping[str, Any]):
    """Apply a FilterSet's filters to `queryset` from already-cleaned parameters.

    Lets a selector reuse the FilterSet that also serves the HTML list and the API.
    """
    filterset = filterset_class(queryset=queryset)
    for name, value in params.items():
        if name in filterset.filters:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


# --- the registry ---------------------------------------------------------------------------------
_REGISTRY: dict[str, Report] = {}


class ReportNotFound(LookupError):
    pass


def register(report: Report) -> Report:
    """Add `report` to the registry; returns it, so `REPORT = register(Report(...))` reads well."""
    existing = _REGISTRY.get(report.key)
    if existing is not None and existing is not report:
        raise ValueError(ERROR_DUPLICATE_REPORT.format(key=report.key))
    _REGISTRY[report.key] = report
    return report


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def get_report(key: str) -> Report:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ReportNotFound(key) from None


def all_reports() -> list[Report]:
    return sorted(_REGISTRY.values(), key=lambda r: r.key)


def reports_for(user) -> list[Report]:
    """The reports `user` may run, by title in the active language."""
    return sorted((r for r in _REGISTRY.values() if r.available_to(user)), key=lambda r: str(r.title))


def autodiscover() -> None:
    """Import `<app>/reports.py` of every installed app (called by ReportingConfig.ready)."""
    autodiscover_modules("reports")
