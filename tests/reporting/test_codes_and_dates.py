"""Years and codes are never number-formatted nor broken over two lines; dates follow the active
language everywhere (issue 9, item 13)."""

import datetime

import pytest
from django.utils import translation

from funding.acts import act_text
from funding.choices import ActType
from reporting.document import CONVERTERS
from reporting.registry import Column, ColumnType
from reporting.renderers.pdf import _formatter, _opening
from tests.funding.test_reports import all_formats, auditor, ledger  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_chapter_status_pdf_prints_the_year_as_a_year(ledger, auditor):  # noqa: F811
    with translation.override("it"):
        _data, _totals, _rows, text = all_formats(auditor, "funding.chapter_status", {"year": 2020})
    assert "2.020" not in text
    assert "2020 151120/2020" in " ".join(text.split())


def test_the_statement_pdf_keeps_the_chapter_on_one_line(ledger):  # noqa: F811
    alba = ledger["alba"]
    _data, _totals, _rows, text = all_formats(
        ledger["alba_staff"], "funding.beneficiary_statement", {"organisation": alba.pk}
    )
    assert "151120/2020" in text.split("\n")[0] or any("151120/2020" in line for line in text.split("\n"))
    assert not any(line.rstrip().endswith("151120/") for line in text.split("\n"))


def test_codes_are_written_as_they_are():
    year = Column("year", "Anno", ColumnType.CODE)
    with translation.override("it"):
        assert _formatter(year, "it")(CONVERTERS[ColumnType.CODE](2020)) == "2020"
        number = Column("n", "N", ColumnType.CODE)
        assert _formatter(number, "it")(CONVERTERS[ColumnType.CODE](1181)) == "1181"
    assert _opening(year) == '<td class="c">'  # white-space: nowrap in the PDF stylesheet


def test_dates_follow_the_active_language():
    day = datetime.date(2021, 4, 20)
    with translation.override("it"):
        assert act_text(ActType.DD, "5", day) == "DD n. 5 del 20/04/2021"
    with translation.override("en"):
        english = act_text(ActType.DD, "5", day)
        from django.utils.formats import date_format

        assert english.endswith(date_format(day, "SHORT_DATE_FORMAT"))
        assert "20/04/2021" not in english
