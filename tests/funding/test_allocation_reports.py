"""The allocation reports (annex, ranking) opened back: XLSX with openpyxl, CSV parsed, PDF text with
pypdf; figures equal to the allocation's to the cent; who may run them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from funding.allocation_reports import ALLOCATION_ANNEX, RANKING, annex_document, ranking_document
from funding.choices import AllocationMethod
from funding.services import allocation as services
from portal.choices import Role
from reporting.document import build_document
from reporting.registry import get_report
from reporting.renderers import get_renderer
from reporting.selectors import report_list
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_admitted, make_allocation_call

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
T0 = timezone.now() - datetime.timedelta(days=30)


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


def weight_split(official, weights=(3, 1, 1), amount="1000.00"):
    call = make_allocation_call(
        method=AllocationMethod.DECLARED_WEIGHT, amount=amount, title="Body-cam di prova"
    )
    for i, weight in enumerate(weights):
        applicant = OrganisationFactory(name=f"Comune di Prova {i}", tax_code=f"8000000000{i}")
        make_admitted(call, applicant, declared_weight=weight, submitted_at=T0 + datetime.timedelta(hours=i))
    return services.allocation_propose(actor=official, call=call)


def taxi_ranking(official, quotes=("1000.00", "2000.00", "1500.00"), amount="2500.00"):
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED,
        amount=amount,
        params={"percentage": "70", "cap": "1200.00", "ranking": "submitted_at", "allow_partial_last": True},
        eligible_basis="net",
        title="Registratori per i taxi",
    )
    apps = [
        make_admitted(
            call,
            OrganisationFactory(name=f"Tassista {i}"),
            submitted_at=T0 + datetime.timedelta(minutes=i),
            quote_net=Decimal(quote),
            quote_vat=Decimal(quote) * Decimal("0.22"),
        )
        for i, quote in enumerate(quotes)
    ]
    return services.allocation_propose(actor=official, call=call), apps


def render(document, fmt: str, language: str = "it") -> io.BytesIO:
    buffer = io.BytesIO()
    with translation.override(language):
        get_renderer(fmt).write(document, buffer)
    buffer.seek(0)
    return buffer


def test_both_reports_are_registered_for_officials_and_auditors_only(official):
    assert get_report("funding.allocation_annex") is ALLOCATION_ANNEX
    assert get_report("funding.ranking") is RANKING
    for user in (official, make_user(Role.AUDITOR)):
        assert {"funding.allocation_annex", "funding.ranking"} <= {r.key for r in report_list(user=user)}
    for role in (Role.APPLICANT, Role.INVENTORY_MANAGER, Role.EU_PROJECT_MANAGER):
        assert not {"funding.allocation_annex", "funding.ranking"} & {
            r.key for r in report_list(user=make_user(role))
        }


def test_annex_xlsx_rows_and_totals_equal_the_allocation_to_the_cent(official):
    allocation = weight_split(official, weights=(3, 1, 1, 2))
    services.allocation_adopt(actor=official, allocation=allocation, act_number="77", act_date=TODAY)
    allocation.refresh_from_db()
    sheet = load_workbook(render(annex_document(allocation), "xlsx")).active
    assert sheet["A1"].value == "Allegato al riparto"
    values = [row for row in sheet.iter_rows(values_only=True)]
    header = values.index(
        (
            "n.",
            "Beneficiario",
            "Codice ISTAT o protocollo",
            "Codice fiscale",
            "Peso",
            "Quota esatta",
            "Importo",
            "Esito",
        )
    )
    lines = [v[0] for v in values[2:header] if v[0]]
    assert f"Approvato con DD n. 77 del {TODAY:%d/%m/%Y}" in lines
    assert "Peso: dato dichiarato" in lines
    data, totals = values[header + 1 : -1], values[-1]
    rows = list(allocation.rows.select_related("beneficiary").order_by("position"))
    assert len(data) == len(rows) == 4
    for line, row in zip(data, rows, strict=True):
        assert line[1] == row.beneficiary.name
        assert line[3] == row.beneficiary.tax_code
        assert Decimal(str(line[4])) == row.weight
        assert Decimal(str(line[5])).quantize(Decimal("0.000001")) == row.exact_quota
        assert Decimal(str(line[6])).quantize(Decimal("0.01")) == row.amount
        assert line[7] == "Finanziata"
    assert totals[0] == "Totale"
    assert Decimal(str(totals[4])) == 7
    assert (
        Decimal(str(totals[6])).quantize(Decimal("0.01")) == allocation.allocated_total == Decimal("1000.00")
    )
    assert sheet.cell(header + 2, 6).number_format == "#,##0.000000"
    assert sheet.cell(header + 2, 5).number_format == "#,##0"


def test_annex_csv_has_every_row_with_machine_formats(official):
    allocation = weight_split(official)
    rows = list(csv.DictReader(io.StringIO(render(annex_document(allocation), "csv").read().decode())))
    assert [r["exact_quota"] for r in rows] == ["600.000000", "200.000000", "200.000000"]
    assert [r["weight"] for r in rows] == ["3", "1", "1"]
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("1000.00")


def test_annex_pdf_has_the_act_the_figures_and_says_a_common_outcome_once(official):
    allocation = weight_split(official, weights=(1,) * 21 + (2,), amount="12345.67")
    services.allocation_adopt(actor=official, allocation=allocation, act_number="130", act_date=TODAY)
    allocation.refresh_from_db()
    pages = [page.extract_text() for page in PdfReader(render(annex_document(allocation), "pdf")).pages]
    first, last = pages[0], pages[-1]
    assert "Regione Piemonte" in first
    assert "Allegato al riparto" in first
    assert f"Approvato con DD n. 130 del {TODAY:%d/%m/%Y}" in first
    assert "Importo da ripartire: € 12.345,67" in first
    # 22 rows all funded: the outcome is said once above the table, not on every row.
    assert "Esito: Finanziata (in ogni riga)" in first
    assert "Finanziata\n" not in first
    assert "Comune di Prova 21 800000000021 2 1.073,536522 1.073,53" in last
    assert "Totale 23 12.345,67" in last  # the totals row: weight and amount
    assert f"pagina {len(pages)} di {len(pages)}" in last
    assert "22 righe" in last


def test_ranking_report_lists_rank_protocol_amounts_and_outcomes(official):
    allocation, apps = taxi_ranking(official)
    services.allocation_adopt(actor=official, allocation=allocation, act_number="600", act_date=TODAY)
    sheet = load_workbook(render(ranking_document(allocation), "xlsx")).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, v in enumerate(values) if v[0] == "Posizione")
    data, totals = values[header + 1 : -1], values[-1]
    assert [line[0] for line in data] == [1, 2, 3]
    assert [line[1] for line in data] == [a.protocol_number for a in apps]
    assert [Decimal(str(line[6])).quantize(Decimal("0.01")) for line in data] == [
        Decimal("700.00"),
        Decimal("1200.00"),
        Decimal("1050.00"),
    ]
    assert [Decimal(str(line[7])).quantize(Decimal("0.01")) for line in data] == [
        Decimal("700.00"),
        Decimal("1200.00"),
        Decimal("600.00"),
    ]
    assert [line[8] for line in data] == ["Finanziata", "Finanziata", "Finanziata in parte"]
    assert Decimal(str(totals[7])).quantize(Decimal("0.01")) == Decimal("2500.00")
    assert ("Graduatoria per: ordine di presentazione (a sportello)",) in [v[:1] for v in values[:header]]


def test_ranking_report_from_the_catalogue_uses_the_latest_round(official):
    allocation, _apps = taxi_ranking(official)
    report = get_report("funding.ranking")
    params = report.clean_params({"call": allocation.call_id})
    document = build_document(report=report, user=official, params=params)
    assert len(list(document.typed_rows())) == 3  # the proposal, while nothing is adopted
    assert report.count(user=official, params=params) == 3
