"""The funding reports, opened as a reader would open them.

The ledger is made through the services (programme loaded, commitments, expense reports verified into
liquidations and economies, applications filed); each report is exported in XLSX (read back with
openpyxl), CSV (parsed) and PDF (text extracted with pypdf) and its figures are checked against the
ledger's own entries to the cent.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from funding.models import (
    Application,
    BudgetChapter,
    Commitment,
    Economy,
    ExpenseLine,
    Liquidation,
    Reservation,
)
from funding.reports import statement_rows
from funding.services import expenses
from funding.services.ledger import Act, commitment_create
from funding.services.programme import programme_load
from portal.choices import Role
from portal.formatting import format_money
from portal.models import AuditEvent, User
from reporting.models import ExportJob
from reporting.registry import ColumnType, get_report
from reporting.renderers.xlsx import MONEY_FORMAT
from reporting.services.exports import export_start
from tests.factories import MunicipalityFactory, make_user
from tests.funding.factories import publish_pending_grants
from tests.funding.factories_calls import (
    TAXI_DATA,
    make_draft,
    make_submitted,
    make_taxi_applicant,
    make_taxi_call,
)
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SUPPLIER_VAT = "00743110157"
PROGRAMME_ACT = "DCR 15 dicembre 2020, n. 89-19389"


# --- The ledger, made through the services ----------------------------------------------------------
def _lines(staff, report, lines):
    for number, (description, net, vat) in enumerate(lines, 1):
        expenses.expense_line_add(
            actor=staff,
            report=report,
            supplier_name="DPI Piemonte S.r.l.",
            supplier_vat_number=SUPPLIER_VAT,
            invoice_number=f"{report.pk}-{number}/2020",
            invoice_date=datetime.date(2020, 5, number),
            description=description,
            net_amount=net,
            vat_amount=vat,
            total_amount=str(Decimal(net) + Decimal(vat)),
        )


def expense_ledger():
    """The real programme; Alba and Bra committed on the COVID reservation (Alba also on the body-cams);
    Alba's final expense report verified (balance liquidated, the rest an economy), Bra's first report
    verified as an advance; two taxi applications filed and one left as a draft."""
    official = make_user(Role.REGIONAL_OFFICIAL)
    programme = programme_load()
    covid, bodycam, taxi = (
        Reservation.objects.get(action__title__icontains=key, chapter__number="151120")
        for key in ("COVID", "Body-Cam", "taxi")
    )
    alba = MunicipalityFactory(name="Comune di Alba", tax_code="00276850049")
    bra = MunicipalityFactory(name="Comune di Bra", tax_code="00482150044")
    covid_act = Act(number="129", date=datetime.date(2020, 4, 23))
    alba_covid = commitment_create(
        actor=official, reservation=covid, beneficiary=alba, amount=Decimal("12345.67"), act=covid_act
    )
    alba_bodycam = commitment_create(
        actor=official,
        reservation=bodycam,
        beneficiary=alba,
        amount=Decimal("4000.00"),
        act=Act(number="450", date=datetime.date(2020, 9, 1)),
        cup="J19H20000120001",
    )
    bra_covid = commitment_create(
        actor=official, reservation=covid, beneficiary=bra, amount=Decimal("2500.10"), act=covid_act
    )
    publish_pending_grants()  # a grant over 1,000.00 is paid only once published (art. 26 c. 3)
    alba_staff = make_user(Role.APPLICANT, alba)
    bra_staff = make_user(Role.APPLICANT, bra)

    final = expenses.expense_report_create(actor=alba_staff, commitment=alba_covid)
    _lines(
        alba_staff,
        final,
        [
            ("Mascherine FFP2", "6000.00", "1320.00"),
            ("Straordinari della Polizia locale", "3000.00", "660.00"),
            ("Tappetini", "100.00", "22.00"),
        ],
    )
    advance = expenses.expense_report_create(actor=bra_staff, commitment=bra_covid, is_final=False)
    _lines(bra_staff, advance, [("Gel igienizzante", "1000.00", "220.00")])
    for report in (final, advance):
        expenses.expense_report_submit(actor=report_staff(report, alba_staff, bra_staff), report=report)
        for line in report.lines.order_by("pk"):
            eligible = line.description != "Tappetini"
            expenses.expense_line_set_eligibility(
                actor=official, line=line, eligible=eligible, reason="" if eligible else "Non pertinente"
            )
        expenses.expense_report_verify(
            actor=official, report=report, act_number="300", act_date=datetime.date(2020, 7, 1)
        )

    call = make_taxi_call(reservation=taxi, title="Registratori di evento per i taxi")
    taxi_apps = []
    for licence in ("TO-0101", "TO-0102"):
        user, organisation = make_taxi_applicant(licence)
        taxi_apps.append(make_submitted(call, user, organisation, **{**TAXI_DATA, "licence_number": licence}))
    make_draft(call, *make_taxi_applicant("TO-0103"))
    return {
        "official": official,
        "programme": programme,
        "alba": alba,
        "bra": bra,
        "alba_staff": alba_staff,
        "bra_staff": bra_staff,
        "commitments": [alba_covid, alba_bodycam, bra_covid],
        "reports": [final, advance],
        "call": call,
        "applications": taxi_apps,
    }


def report_staff(report, *staff):
    return next(u for u in staff if u.memberships.filter(organisation=report.commitment.beneficiary).exists())


@pytest.fixture
def ledger():
    return expense_ledger()


@pytest.fixture
def auditor():
    return make_user(Role.AUDITOR)


# --- Opening what the renderers produce ----------------------------------------------------------------
def export(user, key, params, fmt) -> bytes:
    result = export_start(user=user, report_key=key, params=params, fmt=fmt)
    return result.content()


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def read_xlsx(content: bytes, key: str):
    """(data rows, totals row) as dicts by column key; money cells checked to be real numbers shown
    with two decimals, the header to be the columns' labels."""
    report = get_report(key)
    sheet = load_workbook(io.BytesIO(content)).active
    header = int(sheet.freeze_panes[1:]) - 1
    assert [c.value for c in sheet[header]] == [str(c.label) for c in report.columns]
    rows = list(sheet.iter_rows(min_row=header + 1))
    totals = rows.pop() if any(c.total for c in report.columns) else None
    data = []
    for cells in rows:
        values = {}
        for column, cell in zip(report.columns, cells, strict=True):
            if column.type == ColumnType.MONEY and cell.value is not None:
                assert cell.data_type == "n", (column.key, cell.value)
                assert cell.number_format == MONEY_FORMAT
                values[column.key] = money(cell.value)
            else:
                values[column.key] = cell.value
        data.append(values)
    if totals is None:
        return data, None
    assert totals[0].value == "Totale"
    total_values = {}
    for column, cell in zip(report.columns, totals, strict=True):
        if column.total:
            assert cell.data_type == "n"
            assert cell.number_format == MONEY_FORMAT
            total_values[column.key] = money(cell.value)
    return data, total_values


def read_csv(content: bytes, key: str) -> list[dict]:
    """The rows by column key (the header), money parsed as Decimal with exactly two decimals."""
    report = get_report(key)
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    assert reader.fieldnames == [c.key for c in report.columns]
    rows = list(reader)
    for row in rows:
        for column in report.columns:
            if column.type == ColumnType.MONEY and row[column.key]:
                assert len(row[column.key].split(".")[1]) == 2, row[column.key]
                row[column.key] = Decimal(row[column.key])
    return rows


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def it(value: Decimal) -> str:
    """An amount as the Italian PDF shows it: 12.345,67."""
    return format_money(value, language="it", symbol=False)


def column_sum(rows, key) -> Decimal:
    return sum((r[key] for r in rows if r[key] not in (None, "")), ZERO)


def all_formats(user, key, params):
    """(xlsx rows, xlsx totals, csv rows, pdf text) of one report run with `params`."""
    data, totals = read_xlsx(export(user, key, params, "xlsx"), key)
    rows = read_csv(export(user, key, params, "csv"), key)
    return data, totals, rows, pdf_text(export(user, key, params, "pdf"))


# --- Chapter status by year ---------------------------------------------------------------------------
def chapter_figures(chapter: BudgetChapter) -> dict[str, Decimal]:
    """The chapter's figures summed in Python from the ledger's entries."""
    commitments = list(Commitment.objects.filter(reservation__chapter=chapter))
    reserved = sum((r.amount for r in chapter.reservations.all()), ZERO)
    return {
        "appropriation": chapter.appropriation,
        "reserved": reserved,
        "committed": sum((c.amount for c in commitments), ZERO),
        "liquidated": sum((x.amount for x in Liquidation.objects.filter(commitment__in=commitments)), ZERO),
        "economies": sum((x.amount for x in Economy.objects.filter(commitment__in=commitments)), ZERO),
        "available": chapter.appropriation - reserved,
    }


def test_chapter_status_matches_the_ledger_in_every_format(ledger, auditor):
    data, totals, rows, text = all_formats(auditor, "funding.chapter_status", {"year": 2020})
    chapter = BudgetChapter.objects.get(number="151120", year=2020)
    expected = chapter_figures(chapter)
    assert expected["committed"] == Decimal("18845.77")  # 12,345.67 + 4,000.00 + 2,500.10
    assert expected["liquidated"] == Decimal("12200.00")  # 10,980.00 balance + 1,220.00 advance
    assert expected["economies"] == Decimal("1365.67")
    assert [r["chapter"] for r in data] == ["151120/2020"]
    assert totals == expected
    assert {k: data[0][k] for k in expected} == expected
    assert [(r["chapter"], r["year"]) for r in rows] == [("151120/2020", "2020")]
    assert {k: rows[0][k] for k in expected} == expected
    for figure in expected.values():
        assert it(figure) in text
    assert PROGRAMME_ACT in text  # the programme's act, the reference of every chapter-year

    every_year, totals, _rows, _text = all_formats(auditor, "funding.chapter_status", {})
    chapters = BudgetChapter.objects.all()
    assert len(every_year) == chapters.count() == 6
    assert totals["appropriation"] == sum((c.appropriation for c in chapters), ZERO) == Decimal("2074900.00")
    assert totals["committed"] == expected["committed"]


# --- Programme summary ----------------------------------------------------------------------------------
def test_programme_summary_lists_axes_actions_and_reservations(ledger, auditor):
    programme = ledger["programme"]
    key, params = "funding.programme_summary", {"programme": programme.pk}
    data, totals, rows, text = all_formats(auditor, key, params)
    reservations = list(Reservation.objects.filter(action__axis__programme=programme))
    commitments = list(Commitment.objects.filter(reservation__in=reservations))
    economies = sum((e.amount for e in Economy.objects.filter(commitment__in=commitments)), ZERO)
    committed = sum((c.amount for c in commitments), ZERO)
    expected = {
        "reserved": sum((r.amount for r in reservations), ZERO),
        "committed": committed,
        "liquidated": sum((x.amount for x in Liquidation.objects.filter(commitment__in=commitments)), ZERO),
        "economies": economies,
        "available": sum((r.amount for r in reservations), ZERO) - committed + economies,
    }
    assert totals == expected
    assert column_sum(rows, "reserved") == expected["reserved"]
    without_money = [r for r in data if r["reserved"] is None]
    assert without_money  # actions of the programme with no money yet are listed too
    assert len(data) == len(reservations) + len(without_money)
    covid = next(r for r in data if r["action"].startswith("1.1 ") and r["chapter"] == "151120/2020")
    assert covid["axis"] == "1. Interventi di supporto"
    assert (covid["reserved"], covid["committed"], covid["economies"]) == (
        Decimal("499999.88"),
        Decimal("14845.77"),
        Decimal("1365.67"),
    )
    assert covid["available"] == Decimal("499999.88") - Decimal("14845.77") + Decimal("1365.67")
    assert PROGRAMME_ACT in text
    assert "L.R. 10 dicembre 2007, n. 23" in text
    assert it(expected["reserved"]) in text


# --- Applications register ------------------------------------------------------------------------------
def test_applications_register_with_filters(ledger, auditor):
    key = "funding.applications"
    data, totals, rows, text = all_formats(auditor, key, {})
    filed = Application.objects.exclude(status="draft").order_by("submitted_at", "pk")
    assert [r["protocol_number"] for r in data] == [a.protocol_number for a in filed]
    assert len(data) == 2  # the draft is not in the register
    # 50% of the quote (800.00 + 176.00 VAT: the call's basis is the gross) up to 1,000.00.
    assert [r["requested"] for r in data] == [Decimal("488.00"), Decimal("488.00")]
    assert totals == {"requested": Decimal("976.00"), "granted": ZERO}
    assert all(r["status"] == "Presentata" and r["call"] == "Registratori di evento per i taxi" for r in data)
    assert isinstance(data[0]["submitted_at"], datetime.datetime)
    assert [r["requested"] for r in rows] == [Decimal("488.00"), Decimal("488.00")]
    assert it(Decimal("976.00")) in text
    assert "L.R. 23/2007; DCR 15 dicembre 2020 n. 89-19389" not in text  # no call chosen, no call references

    call = ledger["call"]
    drafts = read_csv(export(auditor, key, {"call": call.code, "status": ["draft"]}, "csv"), key)
    assert [r["status"] for r in drafts] == ["Bozza"]
    future = {"submitted_from": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()}  # noqa: DTZ011
    assert read_csv(export(auditor, key, future, "csv"), key) == []
    by_protocol = read_csv(export(auditor, key, {"q": filed[1].protocol_number}, "csv"), key)
    assert [r["protocol_number"] for r in by_protocol] == [filed[1].protocol_number]
    with_call = pdf_text(export(auditor, key, {"call": call.code}, "pdf"))
    assert "89-19389" in with_call  # the call's legal references head the document


# --- Expense lines and liquidations ----------------------------------------------------------------------
def test_expense_lines_register(ledger, auditor):
    key = "funding.expenses"
    data, totals, rows, text = all_formats(auditor, key, {})
    lines = list(ExpenseLine.objects.all())
    assert len(data) == len(rows) == len(lines) == 4
    assert totals == {
        "net": sum((x.net_amount for x in lines), ZERO),
        "vat": sum((x.vat_amount for x in lines), ZERO),
        "total": sum((x.total_amount for x in lines), ZERO),
        # No call behind these grants: eligible on the total, VAT included; the ineligible line counts 0.
        "eligible_amount": sum((x.total_amount for x in lines if x.eligible), ZERO),
    }
    assert totals["eligible_amount"] == Decimal("12200.00")
    rejected = next(r for r in data if r["description"] == "Tappetini")
    assert (rejected["eligible"], rejected["eligible_amount"]) == ("no", ZERO)
    assert rejected["supplier_vat_number"] == SUPPLIER_VAT
    assert rejected["beneficiary"] == "Comune di Alba"
    assert rejected["invoice_date"] == datetime.datetime(2020, 5, 3)  # noqa: DTZ001 (a real date)
    assert [r["beneficiary"] for r in rows] == ["Comune di Alba"] * 3 + ["Comune di Bra"]
    assert column_sum(rows, "eligible_amount") == totals["eligible_amount"]
    assert it(totals["total"]) in text
    assert it(totals["eligible_amount"]) in text

    only_bra = read_csv(export(auditor, key, {"beneficiary": "bra"}, "csv"), key)
    assert [r["total"] for r in only_bra] == [Decimal("1220.00")]


def test_liquidations_register(ledger, auditor):
    key = "funding.liquidations"
    data, totals, rows, text = all_formats(auditor, key, {})
    liquidations = list(Liquidation.objects.order_by("date", "pk"))
    assert (
        totals == {"amount": sum((x.amount for x in liquidations), ZERO)} == {"amount": Decimal("12200.00")}
    )
    assert [(r["beneficiary"], r["reason"], r["amount"]) for r in data] == [
        ("Comune di Alba", "Saldo", Decimal("10980.00")),
        ("Comune di Bra", "Acconto", Decimal("1220.00")),
    ]
    assert data[0]["act"] == "DD n. 300 del 01/07/2020"
    assert data[0]["commitment"] == "DD n. 129 del 23/04/2020"
    assert data[0]["chapter"] == "151120/2020"
    assert [r["amount"] for r in rows] == [Decimal("10980.00"), Decimal("1220.00")]
    assert it(Decimal("12200.00")) in text
    advances = read_csv(export(auditor, key, {"reason": "acconto"}, "csv"), key)
    assert [r["beneficiary"] for r in advances] == ["Comune di Bra"]


# --- Beneficiary statement ----------------------------------------------------------------------------------
def statement_expected(organisation) -> dict[str, Decimal]:
    commitments = list(Commitment.objects.filter(beneficiary=organisation))
    return {
        "committed": sum((c.amount for c in commitments), ZERO),
        "economies": sum((c.economies_total for c in commitments), ZERO),
        "liquidated": sum((c.liquidated_total for c in commitments), ZERO),
        "to_pay": sum((c.to_liquidate for c in commitments), ZERO),
    }


def test_beneficiary_statement_per_commitment(ledger):
    alba = ledger["alba"]
    key, params = "funding.beneficiary_statement", {"organisation": alba.pk}
    data, totals, rows, text = all_formats(ledger["alba_staff"], key, params)
    assert (
        totals
        == statement_expected(alba)
        == {
            "committed": Decimal("16345.67"),
            "economies": Decimal("1365.67"),
            "liquidated": Decimal("10980.00"),
            "to_pay": Decimal("4000.00"),
        }
    )
    covid, bodycam = data
    assert covid["act"] == "DD n. 129 del 23/04/2020"
    assert covid["call"].startswith("1.1 Emergenza COVID-19")
    assert (covid["committed"], covid["liquidated"], covid["to_pay"]) == (
        Decimal("12345.67"),
        Decimal("10980.00"),
        ZERO,
    )
    assert (bodycam["cup"], bodycam["to_pay"]) == ("J19H20000120001", Decimal("4000.00"))
    assert [r["committed"] for r in rows] == [Decimal("12345.67"), Decimal("4000.00")]
    for figure in totals.values():
        assert it(figure) in text
    assert "Comune di Alba" in text
    assert "00276850049" in text
    assert PROGRAMME_ACT in text


def test_an_applicant_is_offered_only_their_own_organisations(client, ledger, auditor):
    report = get_report("funding.beneficiary_statement")
    own = report.form(user=ledger["bra_staff"]).fields["organisation"].queryset
    assert list(own) == [ledger["bra"]]
    assert set(report.form(user=auditor).fields["organisation"].queryset) == {ledger["alba"], ledger["bra"]}
    assert not report.form().fields["organisation"].queryset.exists()
    # The selector scopes too: another organisation's commitments never reach an applicant's rows.
    assert list(statement_rows(user=ledger["bra_staff"], params={"organisation": ledger["alba"]})) == []
    client.force_login(ledger["bra_staff"])
    html = client.get(reverse("reporting:run", args=["funding.beneficiary_statement"])).content.decode()
    assert "Comune di Bra" in html
    assert "Comune di Alba" not in html
    listed = api_client_for(ledger["bra_staff"]).get("/api/v1/reports/").json()
    # Of the funding reports only its statement (its own devices' inventory reports are listed too).
    funding = [r for r in listed if r["key"].startswith("funding.")]
    assert [r["key"] for r in funding] == ["funding.beneficiary_statement"]
    # The list leaves out choices read from the database (it would read every organisation at each
    # call); the report's own definition offers its own organisation only.
    assert funding[0]["parameters"][0]["choices"] is None
    definition = (
        api_client_for(ledger["bra_staff"]).get("/api/v1/reports/funding.beneficiary_statement/").json()
    )
    assert definition["parameters"][0]["choices"] == [[str(ledger["bra"].pk), "Comune di Bra"]]


def test_every_funding_report_has_its_page(client, ledger, auditor):
    client.force_login(auditor)
    for key in (
        "funding.chapter_status",
        "funding.programme_summary",
        "funding.applications",
        "funding.expenses",
        "funding.liquidations",
        "funding.beneficiary_statement",
        "funding.transparency",
    ):
        response = client.get(reverse("reporting:run", args=[key]))
        assert response.status_code == 200, key
        assert 'name="format" value="xlsx"' in response.content.decode()


def _post_statement(client, organisation, fmt="xlsx"):
    url = reverse("reporting:run", args=["funding.beneficiary_statement"])
    return client.post(url, {"organisation": organisation.pk, "format": fmt})


def _api_statement(user, organisation):
    from rest_framework.test import APIClient

    api = api_client_for(user) if user is not None else APIClient()
    payload = {
        "report": "funding.beneficiary_statement",
        "format": "csv",
        "params": {"organisation": organisation.pk},
    }
    return api.post("/api/v1/exports/", payload, format="json")


def test_statement_export_permission_matrix(client, ledger, django_capture_on_commit_callbacks):
    """Anonymous, another organisation, wrong roles: refused, nothing produced nor audited. The
    organisation's own staff, auditors and officials: the file, with the ledger's figures."""
    alba = ledger["alba"]
    refused = [
        ("anonymous", None, 302, 401),
        ("other organisation", ledger["bra_staff"], 400, 400),  # Alba is not among Bra's choices
        ("eu project manager", make_user(Role.EU_PROJECT_MANAGER, alba), 403, 403),
        ("inventory manager", make_user(Role.INVENTORY_MANAGER, alba), 403, 403),
    ]
    for who, user, page_status, api_status in refused:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = _post_statement(client, alba)
        assert response.status_code == page_status, who
        if page_status == 302:
            assert response["Location"].startswith(reverse("account_login"))
        assert _api_statement(user, alba).status_code == api_status, who
        assert not ExportJob.objects.exists(), who
        assert not AuditEvent.objects.filter(action__startswith="export.").exists(), who

    for who, user in (
        ("own organisation", ledger["alba_staff"]),
        ("auditor", make_user(Role.AUDITOR)),
        ("official", ledger["official"]),
    ):
        client.force_login(user)
        response = _post_statement(client, alba)
        assert response.status_code == 200, who
        _data, totals = read_xlsx(response.content, "funding.beneficiary_statement")
        assert totals == statement_expected(alba), who
        with django_capture_on_commit_callbacks(execute=True):  # the job runs once the request commits
            api = _api_statement(user, alba)
        assert api.status_code == 202, who
        job = ExportJob.objects.get(pk=api.json()["id"])
        assert job.status == "done", who
        with job.file.open("rb") as f:
            rows = read_csv(f.read(), "funding.beneficiary_statement")
        assert column_sum(rows, "to_pay") == Decimal("4000.00"), who
        assert AuditEvent.objects.filter(action="export.generated", actor=user).count() == 1, who


# --- Queries do not grow with the rows ---------------------------------------------------------------------
def test_expense_lines_export_runs_a_constant_number_of_queries(ledger, auditor):
    def queries() -> int:
        user = User.objects.get(pk=auditor.pk)  # roles not cached yet, as in a new request
        with CaptureQueriesContext(connection) as captured:
            export(user, "funding.expenses", {}, "xlsx")
        return len(captured)

    # Roles, count, the audit event (chain head read, insert, head update, savepoints), the rows.
    before = queries()
    assert before <= 10
    staff = ledger["alba_staff"]
    report = expenses.expense_report_create(actor=staff, commitment=ledger["commitments"][1])
    _lines(staff, report, [(f"Body-cam n. {i}", "350.00", "77.00") for i in range(1, 11)])
    assert ExpenseLine.objects.count() == 14
    assert queries() == before


def test_a_hostile_supplier_name_is_neither_run_in_csv_nor_a_formula_in_xlsx(ledger, auditor):
    hostile = '=HYPERLINK("http://evil.example","x")'
    ExpenseLine.objects.filter(description="Tappetini").update(supplier_name=hostile)
    key = "funding.expenses"
    rows = read_csv(export(auditor, key, {}, "csv"), key)
    assert [r["supplier"] for r in rows if r["description"] == "Tappetini"] == [f"'{hostile}"]
    data, _totals = read_xlsx(export(auditor, key, {}, "xlsx"), key)
    assert [r["supplier"] for r in data if r["description"] == "Tappetini"] == [hostile]
    sheet = load_workbook(io.BytesIO(export(auditor, key, {}, "xlsx"))).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
