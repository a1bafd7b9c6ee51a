"""Loading the ISTAT reference data (provinces, comuni, population by date) from the shipped CSV."""

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from portal.audit import audit_record
from portal.models import Comune, ComunePopulation, Province

DEFAULT_COMUNI_CSV = Path(settings.BASE_DIR) / "fixtures" / "piemonte_comuni.csv"
REQUIRED_COLUMNS = (
    "istat_code",
    "name",
    "cadastral_code",
    "province_code",
    "province_sigla",
    "province_name",
    "is_provincial_capital",
)
POPULATION_COLUMN = re.compile(r"^population_(\d{4})$")


class ReferenceDataError(Exception):
    """A malformed file: carries every problem found, each with its line and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadReport:
    provinces_created: int = 0
    comuni_created: int = 0
    comuni_updated: int = 0
    populations_created: int = 0
    populations_updated: int = 0
    rows: int = 0
    dates: list[datetime.date] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.provinces_created,
                self.comuni_created,
                self.comuni_updated,
                self.populations_created,
                self.populations_updated,
            )
        )


@dataclass
class _Row:
    istat_code: str
    name: str
    cadastral_code: str
    province: tuple[str, str, str]
    is_capital: bool
    populations: dict[datetime.date, int]


def _parse(path: Path) -> tuple[list[_Row], list[datetime.date]]:
    problems: list[str] = []
    rows: list[_Row] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ReferenceDataError([f"line 1: missing column(s) {', '.join(missing)}"])
        pop_columns = {
            c: datetime.date(int(m.group(1)), 1, 1) for c in header if (m := POPULATION_COLUMN.match(c))
        }
        if not pop_columns:
            raise ReferenceDataError(["line 1: no population_YYYY column"])
        seen: set[str] = set()
        for line, raw in enumerate(reader, start=2):

            def bad(column: str, message: str, line=line) -> None:
                problems.append(f"line {line}, field {column}: {message}")

            if None in raw or any(v is None for v in raw.values()):
                problems.append(f"line {line}: wrong number of fields")
                continue
            code = raw["istat_code"].strip()
            if not re.fullmatch(r"\d{6}", code):
                bad("istat_code", f"{code!r} is not a 6-digit ISTAT code")
            elif code in seen:
                bad("istat_code", f"{code} appears twice")
            seen.add(code)
            if not raw["name"].strip():
                bad("name", "empty")
            if not re.fullmatch(r"\d{3}", raw["province_code"].strip()):
                bad("province_code", f"{raw['province_code']!r} is not a 3-digit code")
            if not re.fullmatch(r"[A-Z]{2}", raw["province_sigla"].strip()):
                bad("province_sigla", f"{raw['province_sigla']!r} is not a 2-letter abbreviation")
            if raw["is_provincial_capital"].strip() not in ("0", "1"):
                bad("is_provincial_capital", f"{raw['is_provincial_capital']!r} is not 0 or 1")
            populations = {}
            for column, date in pop_columns.items():
                value = raw[column].strip()
                if value == "":
                    continue
                if not value.isdigit():
                    bad(column, f"{value!r} is not a whole number of residents")
                    continue
                populations[date] = int(value)
            rows.append(
                _Row(
                    istat_code=code,
                    name=raw["name"].strip(),
                    cadastral_code=raw["cadastral_code"].strip(),
                    province=(
                        raw["province_code"].strip(),
                        raw["province_sigla"].strip(),
                        raw["province_name"].strip(),
                    ),
                    is_capital=raw["is_provincial_capital"].strip() == "1",
                    populations=populations,
                )
            )
    if problems:
        raise ReferenceDataError(problems)
    return rows, sorted(pop_columns.values())


def load_comuni(path: Path = DEFAULT_COMUNI_CSV) -> LoadReport:
    """Validate the whole file first, then upsert in one transaction. Loading twice changes nothing."""
    rows, dates = _parse(Path(path))
    report = LoadReport(rows=len(rows), dates=dates)
    with transaction.atomic():
        provinces = {p.code: p for p in Province.objects.all()}
        for code, sigla, name in sorted({r.province for r in rows}):
            if code not in provinces:
                provinces[code] = Province.objects.create(code=code, sigla=sigla, name=name)
                report.provinces_created += 1
        comuni = {c.istat_code: c for c in Comune.objects.all()}
        to_create, to_update = [], []
        for row in rows:
            values = {
                "name": row.name,
                "cadastral_code": row.cadastral_code,
                "province_id": provinces[row.province[0]].pk,
                "is_provincial_capital": row.is_capital,
            }
            comune = comuni.get(row.istat_code)
            if comune is None:
                to_create.append(Comune(istat_code=row.istat_code, **values))
            elif any(getattr(comune, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(comune, k, v)
                to_update.append(comune)
        Comune.objects.bulk_create(to_create, batch_size=500)
        Comune.objects.bulk_update(
            to_update, ["name", "cadastral_code", "province_id", "is_provincial_capital"]
        )
        report.comuni_created, report.comuni_updated = len(to_create), len(to_update)

        comune_ids = dict(Comune.objects.values_list("istat_code", "pk"))
        existing = {
            (p.comune_id, p.reference_date): p
            for p in ComunePopulation.objects.filter(reference_date__in=dates)
        }
        pop_create, pop_update = [], []
        for row in rows:
            for date, population in row.populations.items():
                key = (comune_ids[row.istat_code], date)
                current = existing.get(key)
                if current is None:
                    pop_create.append(
                        ComunePopulation(comune_id=key[0], reference_date=date, population=population)
                    )
                elif current.population != population:
                    current.population = population
                    pop_update.append(current)
        ComunePopulation.objects.bulk_create(pop_create, batch_size=1000)
        ComunePopulation.objects.bulk_update(pop_update, ["population"], batch_size=1000)
        report.populations_created, report.populations_updated = len(pop_create), len(pop_update)
        if report.changed:
            audit_record(
                action="reference.comuni_loaded",
                after={
                    "file": Path(path).name,
                    "rows": report.rows,
                    "comuni_created": report.comuni_created,
                    "comuni_updated": report.comuni_updated,
                    "populations_created": report.populations_created,
                    "populations_updated": report.populations_updated,
                },
            )
    return report
