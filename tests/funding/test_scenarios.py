"""The three pilots of DCR 89-19389 replayed end to end on the real programme and the real comuni.

- COVID-19 support: 499,999.88 € over the 1,181 comuni of Piedmont by population at 1 January 2022;
- body-cams: 800,000.00 € over the 8 provincial capitals, the Città metropolitana di Torino and the
  provinces' police, by the officers in service each declared;
- taxi event recorders: 300,000.00 € to Torino's taxi licensees, 70% of the quote net of VAT up to
  1,500.00 € per application (parameters of these tests: the act leaves them to the call), ranked by
  submission time, the last one partly funded; a withdrawal scrolls the ranking;
- a full cycle application → grant → expense report → liquidation → economy, with the chapter's
  figures checked to the cent.
"""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from funding import allocation as strategies
from funding.allocation.base import AllocationInput
from funding.choices import (
    AllocationMethod,
    AllocationOutcome,
    ApplicationStatus,
    CallStatus,
    CommitmentStatus,
    LiquidationReason,
)
from funding.models import Action, Allocation, Commitment, Reservation
from funding.selectors import chapter_status
from funding.selectors.transparency import grants_to_publish
from funding.services import allocation as services
from funding.services import expenses
from funding.services.programme import programme_load
from funding.services.transparency import grants_publish
from funding.services.workflow import application_transition
from portal.audit import audit_verify_chain
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent, Comune, Organisation, Province
from portal.tax_codes import tax_codes_import
from tests.factories import body_tax_code, make_user
from tests.funding.factories import make_admitted, make_allocation_call

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
POPULATION_DATE = datetime.date(2022, 1, 1)
T0 = timezone.now() - datetime.timedelta(days=60)
TAXI_PARAMS = {"percentage": "70", "cap": "1500.00", "ranking": "submitted_at", "allow_partial_last": True}
# Officers in service declared by each body (plausible figures for the scenario).
OFFICERS = {
    "001272": 1650,  # Torino
    "006003": 118,  # Alessandria
    "005005": 74,  # Asti
    "096004": 52,  # Biella
    "004078": 69,  # Cuneo
    "003106": 128,  # Novara
    "103072": 41,  # Verbania
    "002158": 63,  # Vercelli
    "metro": 104,  # Città metropolitana di Torino
    "AL": 24,
    "AT": 14,
    "BI": 9,
    "CN": 33,
    "NO": 19,
    "VB": 13,
    "VC": 11,
}


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


@pytest.fixture
def programme(comuni):
    """The real programme: chapter 151120/2020 with the three pilots' reservations."""
    programme_load()
    return {
        title_key: Reservation.objects.get(action__title__icontains=title_key, chapter__number="151120")
        for title_key in ("COVID", "Body-Cam", "taxi")
    }


FIGURES = ("appropriation", "reserved", "committed", "economies", "liquidated", "available")


def chapter_151120(user):
    """The chapter's figures from chapter_status, to the cent (SQLite sums decimals as floats, so
    a sum of 1,181 amounts comes back as 499999.880000001 there; PostgreSQL sums exactly)."""
    chapter = chapter_status(user=user).get(number="151120", year=2020)
    for name in (*FIGURES, "committed_net", "to_liquidate", "reserved_uncommitted"):
        setattr(chapter, name, getattr(chapter, name).quantize(Decimal("0.01")))
    return chapter


# --- COVID-19: the population split over every comune ------------------------------------------------
def covid_call(reservation):
    return make_allocation_call(
        method=AllocationMethod.POPULATION,
        reservation=reservation,
        requires_application=False,
        status="draft",
        reference_date=POPULATION_DATE,
        params={"source": "ISTAT, elaborazione Openpolis"},
        title="Emergenza COVID-19: riparto ai comuni",
    )


def test_covid_split_over_the_1181_comuni(programme, official, capsys):
    call = covid_call(programme["COVID"])
    allocation = services.allocation_propose(actor=official, call=call)
    rows = list(allocation.rows.select_related("beneficiary__comune").order_by("position"))
    assert len(rows) == 1181
    assert allocation.total == Decimal("499999.88")
    assert sum(r.amount for r in rows) == Decimal("499999.88")
    assert allocation.allocated_total == Decimal("499999.88")
    assert sum(r.weight for r in rows) == 4256350
    # Every share within one cent of its exact quota (exact: recomputed as a Fraction).
    result = strategies.compute(AllocationInput.from_dict(allocation.inputs))
    for stored, exact in zip(rows, result.rows, strict=True):
        assert stored.beneficiary.comune.istat_code == exact.key
        assert stored.amount == exact.amount
        assert abs(Fraction(stored.amount) - exact.quota) < Fraction(1, 100)
        assert abs(stored.amount - stored.exact_quota) < Decimal("0.01")
    by_code = {r.beneficiary.comune.istat_code: r for r in rows}
    torino = by_code["001272"]
    assert torino.weight == 848748
    exact_torino = Fraction("499999.88") * 848748 / 4256350
    assert abs(Fraction(torino.amount) - exact_torino) < Fraction(1, 100)
    assert torino.amount == Decimal("99703.71")
    amounts = sorted(r.amount for r in rows)
    # Every comune's municipality exists and is the beneficiary.
    assert Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).count() == 1181
    # A re-run gives the same cents.
    again = services.allocation_propose(actor=official, call=call)
    assert {r.beneficiary_id: r.amount for r in again.rows.all()} == {
        r.beneficiary_id: r.amount for r in rows
    }
    allocation.refresh_from_db()
    assert allocation.status == "superseded"
    with capsys.disabled():
        smallest = min(rows, key=lambda r: (r.amount, r.position))
        print(
            f"\n[covid] 1,181 comuni, 499,999.88 €: Torino {torino.amount} (848,748 residents); "
            f"min {amounts[0]} ({smallest.beneficiary.name}), max {amounts[-1]}"
        )


def test_covid_adoption_writes_every_commitment_in_one_transaction(programme, official):
    call = covid_call(programme["COVID"])
    allocation = services.allocation_propose(actor=official, call=call)
    events_before = AuditEvent.objects.count()
    services.allocation_adopt(actor=official, allocation=allocation, act_number="129", act_date=TODAY)
    commitments = Commitment.objects.filter(reservation=programme["COVID"])
    assert commitments.count() == 1181
    assert sum(c.amount for c in commitments) == Decimal("499999.88")
    created = AuditEvent.objects.filter(action="ledger.commitment.created", seq__gt=0)
    assert created.count() == 1181
    assert created.values("created_at").distinct().count() == 1  # written together
    assert AuditEvent.objects.count() - events_before == 1181 + 1 + 4  # + adopted + call steps
    reservation = Reservation.objects.get(pk=programme["COVID"].pk)
    assert reservation.available == Decimal("0.00")
    assert allocation.rows.filter(commitment__isnull=True).count() == 0
    status = chapter_151120(official)
    assert status.committed == Decimal("499999.88")
    assert status.reserved == Decimal("1599999.88")
    assert status.available == Decimal("50000.12")
    assert audit_verify_chain().ok


def test_a_failed_adoption_leaves_nothing_behind(programme, official, monkeypatch):
    call = covid_call(programme["COVID"])
    allocation = services.allocation_propose(actor=official, call=call)
    from funding.services.allocation import adopt

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(adopt, "_schedule_act_pdfs", fail)  # the very last step
    with pytest.raises(RuntimeError):
        services.allocation_adopt(actor=official, allocation=allocation, act_number="129", act_date=TODAY)
    assert not Commitment.objects.exists()
    assert Reservation.objects.get(pk=programme["COVID"].pk).committed_total == 0
    allocation.refresh_from_db()
    call.refresh_from_db()
    assert (allocation.status, call.status) == ("proposed", CallStatus.DRAFT)
    assert not AuditEvent.objects.filter(action__startswith="ledger.commitment").exists()


def test_the_comune_reports_on_its_covid_commitment(programme, official):
    call = covid_call(programme["COVID"])
    allocation = services.allocation_propose(actor=official, call=call)
    services.allocation_adopt(actor=official, allocation=allocation, act_number="129", act_date=TODAY)
    cuneo = Organisation.objects.get(kind=OrganisationKind.MUNICIPALITY, comune__istat_code="004078")
    commitment = Commitment.objects.get(beneficiary=cuneo, reservation=programme["COVID"])
    # Cuneo's share is over € 1,000: it takes effect, and can be paid, once published.
    pending = list(grants_to_publish(user=official))
    assert commitment in pending
    # Art. 27 publishes each comune with its codice fiscale: the official imports them first.
    with pytest.raises(ValidationError):
        grants_publish(actor=official, commitments=pending)
    rows = [f"{c.beneficiary.comune.istat_code};{body_tax_code(500_000 + n)}" for n, c in enumerate(pending)]
    tax_codes_import(actor=official, data="\n".join(rows).encode())
    pending = list(grants_to_publish(user=official))
    assert len(grants_publish(actor=official, commitments=pending)) == len(pending)
    staff = make_user(Role.APPLICANT, cuneo)
    report = expenses.expense_report_create(actor=staff, commitment=commitment)
    expenses.expense_line_add(
        actor=staff,
        report=report,
        supplier_name="DPI Piemonte S.r.l.",
        supplier_vat_number="00743110157",
        invoice_number="12/2020",
        invoice_date=datetime.date(2020, 5, 4),
        description="Mascherine FFP2 per la Polizia locale",
        net_amount="6000.00",
        vat_amount="1320.00",
        total_amount="7320.00",
    )
    expenses.expense_report_submit(actor=staff, report=report)
    expenses.expense_line_set_eligibility(actor=official, line=report.lines.get(), eligible=True)
    expenses.expense_report_verify(actor=official, report=report, act_number="300", act_date=TODAY)
    commitment.refresh_from_db()
    # Cuneo's share is less than the expense: the whole share is liquidated.
    assert commitment.liquidated_total == commitment.amount
    assert commitment.to_liquidate == 0
    report.refresh_from_db()
    assert report.payable_amount == commitment.amount < Decimal("7320.00")


# --- Body-cams: by officers in service -------------------------------------------------------------
def bodycam_bodies():
    bodies = {}
    for comune in Comune.objects.filter(is_provincial_capital=True):
        bodies[comune.istat_code] = Organisation.objects.get_or_create(
            kind=OrganisationKind.MUNICIPALITY, comune=comune, defaults={"name": f"Comune di {comune.name}"}
        )[0]
    torino = Province.objects.get(code="001")
    bodies["metro"] = Organisation.objects.create(
        kind=OrganisationKind.METROPOLITAN_CITY, name="Città metropolitana di Torino", province=torino
    )
    for province in Province.objects.exclude(code="001"):
        bodies[province.sigla] = Organisation.objects.create(
            kind=OrganisationKind.PROVINCE, name=f"Provincia di {province.name}", province=province
        )
    return bodies


def test_bodycam_split_by_officers_in_service(programme, official, capsys):
    bodies = bodycam_bodies()
    assert len(bodies) == 16  # 8 capitals, the Città metropolitana, 7 provinces
    call = make_allocation_call(
        method=AllocationMethod.DECLARED_WEIGHT,
        reservation=programme["Body-Cam"],
        title="Progetto sperimentale Body-Cam",
    )
    apps = {
        key: make_admitted(
            call, bodies[key], declared_weight=officers, submitted_at=T0 + datetime.timedelta(hours=i)
        )
        for i, (key, officers) in enumerate(OFFICERS.items())
    }
    allocation = services.allocation_propose(actor=official, call=call)
    rows = {r.application_id: r for r in allocation.rows.all()}
    total_officers = sum(OFFICERS.values())
    assert total_officers == 2422
    assert sum(r.amount for r in rows.values()) == Decimal("800000.00")
    for key, officers in OFFICERS.items():
        exact = Fraction(800000) * officers / total_officers
        assert abs(Fraction(rows[apps[key].pk].amount) - exact) < Fraction(1, 100)
    assert rows[apps["001272"].pk].amount == Decimal("545004.13")  # 800,000 * 1,650 / 2,422 = 545,004.1288...
    services.allocation_adopt(actor=official, allocation=allocation, act_number="450", act_date=TODAY)
    granted = {key: app.__class__.objects.get(pk=app.pk) for key, app in apps.items()}
    assert all(a.status == ApplicationStatus.GRANTED for a in granted.values())
    assert sum(a.granted_amount for a in granted.values()) == Decimal("800000.00")
    assert Reservation.objects.get(pk=programme["Body-Cam"].pk).available == Decimal("0.00")
    with capsys.disabled():
        print(
            f"\n[body-cam] 800,000.00 € over {len(OFFICERS)} bodies, {total_officers} officers: "
            f"Torino {rows[apps['001272'].pk].amount}, Città metropolitana {rows[apps['metro'].pk].amount}, "
            f"Provincia di Biella {rows[apps['BI'].pk].amount}"
        )


# --- Taxi: ranked, capped, the last partly funded, scorrimento -------------------------------------
TAXI_APPLICANTS = 260


def taxi_quote(i: int) -> Decimal:
    """Recorder plus installation, net of VAT: between 1,190.00 and 2,589.00 €."""
    return Decimal(1190 + (i * 373) % 1400).quantize(Decimal("0.01"))


def taxi_call_with_applicants(reservation, n=TAXI_APPLICANTS):
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED,
        reservation=reservation,
        params=TAXI_PARAMS,
        eligible_basis="net",
        title="Registratori di dati di evento per i taxi di Torino",
    )
    torino = Comune.objects.get(istat_code="001272")
    licensees = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.TAXI_LICENSEE,
                name=f"Tassista {i:03d}",
                comune=torino,
                licence_number=f"TO-{1000 + i}",
            )
            for i in range(n)
        ]
    )
    apps = [
        make_admitted(
            call,
            licensee,
            submitted_at=T0 + datetime.timedelta(minutes=i),
            licence_number=licensee.licence_number,
            quote_net=taxi_quote(i),
            quote_vat=(taxi_quote(i) * Decimal("0.22")).quantize(Decimal("0.01")),
        )
        for i, licensee in enumerate(licensees)
    ]
    return call, apps


def expected_requests(n=TAXI_APPLICANTS):
    return [
        min((taxi_quote(i) * Decimal("0.70")).quantize(Decimal("0.01")), Decimal("1500.00")) for i in range(n)
    ]


def test_taxi_ranking_with_more_applicants_than_money(programme, official, capsys):
    call, apps = taxi_call_with_applicants(programme["taxi"])
    allocation = services.allocation_propose(actor=official, call=call)
    rows = list(allocation.rows.order_by("position"))
    assert [r.application_id for r in rows] == [a.pk for a in apps]  # a sportello: by submission time
    requested = expected_requests()
    assert [r.requested for r in rows] == requested
    assert sum(requested) > Decimal("300000.00")
    # Funded in order until the money runs out; the one that no longer fits gets what is left.
    left, expected = Decimal("300000.00"), []
    for amount in requested:
        expected.append(min(amount, left))
        left -= expected[-1]
    assert [r.amount for r in rows] == expected
    funded = [r for r in rows if r.outcome == AllocationOutcome.FUNDED]
    partly = [r for r in rows if r.outcome == AllocationOutcome.PARTLY_FUNDED]
    not_funded = [r for r in rows if r.outcome == AllocationOutcome.NOT_FUNDED]
    assert len(partly) == 1
    assert partly[0].position == len(funded) + 1
    assert sum(r.amount for r in rows) == Decimal("300000.00")
    assert any(
        r.requested == Decimal("1500.00") and taxi_quote(r.position - 1) * Decimal("0.7") > 1500
        for r in funded
    )
    services.allocation_adopt(actor=official, allocation=allocation, act_number="600", act_date=TODAY)
    call.refresh_from_db()
    assert call.status == CallStatus.RANKED
    statuses = {
        s: apps[0].__class__.objects.filter(call=call, status=s).count() for s in ApplicationStatus.values
    }
    assert statuses[ApplicationStatus.GRANTED] == len(funded) + 1
    assert statuses[ApplicationStatus.NOT_FUNDED] == len(not_funded)
    assert AuditEvent.objects.filter(action="application.not_funded").count() == len(not_funded)

    # The third withdraws: scorrimento gives its money to the partly funded one, then to the next.
    third = apps[2]
    third.refresh_from_db()
    freed = third.granted_amount
    application_transition(actor=None, application=third, to_status=ApplicationStatus.WITHDRAWN)
    services.grant_cancel(actor=official, application=third, act_number="610", act_date=TODAY)
    second = services.allocation_rerank(actor=official, call=call)
    new = {r.application_id: r for r in second.rows.all()}
    assert third.pk not in new
    for row in rows:
        if row.application_id != third.pk:
            assert new[row.application_id].amount >= row.amount  # nobody's grant decreases
    partial_app = partly[0].application_id
    top_up = min(freed, partly[0].requested - partly[0].amount)
    assert new[partial_app].amount == partly[0].amount + top_up
    next_app = not_funded[0].application_id
    assert new[next_app].amount == min(freed - top_up, not_funded[0].requested)
    assert sum(r.amount for r in new.values()) == Decimal("300000.00") - freed + freed
    services.allocation_adopt(actor=official, allocation=second, act_number="611", act_date=TODAY)
    next_application = apps[0].__class__.objects.get(pk=next_app)
    assert next_application.status == ApplicationStatus.GRANTED
    assert next_application.granted_amount == new[next_app].amount
    reservation = Reservation.objects.get(pk=programme["taxi"].pk)
    assert reservation.available == Decimal("0.00")
    live = Commitment.objects.filter(reservation=reservation).exclude(status=CommitmentStatus.CANCELLED)
    assert sum(c.amount for c in live) == Decimal("300000.00")
    assert audit_verify_chain().ok
    with capsys.disabled():
        print(
            f"\n[taxi] 300,000.00 €, 70% of the net up to 1,500.00 €, {TAXI_APPLICANTS} applications: "
            f"{len(funded)} funded in full, no. {partly[0].position} partly funded with {partly[0].amount} "
            f"(of {partly[0].requested}), {len(not_funded)} not funded; after the withdrawal of no. 3 "
            f"({freed}): no. {partly[0].position} gets {new[partial_app].amount}, "
            f"no. {partly[0].position + 1} gets {new[next_app].amount}"
        )


# --- A full cycle, with the ledger checked to the cent --------------------------------------------
def test_full_cycle_application_report_liquidation_economy(programme, official):
    call, apps = taxi_call_with_applicants(programme["taxi"], n=3)
    allocation = services.allocation_propose(actor=official, call=call)
    services.allocation_adopt(actor=official, allocation=allocation, act_number="600", act_date=TODAY)
    app = apps[0]
    app.refresh_from_db()
    assert app.granted_amount == Decimal("833.00")  # 70% of 1,190.00
    staff = make_user(Role.APPLICANT, app.applicant)
    report = expenses.expense_report_create(actor=staff, application=app)
    expenses.expense_line_add(
        actor=staff,
        report=report,
        supplier_name="Taxi Tech S.r.l.",
        supplier_vat_number="00743110157",
        invoice_number="F-88",
        invoice_date=datetime.date(2021, 3, 2),
        description="Registratore di dati di evento, installazione compresa",
        net_amount="1100.00",
        vat_amount="242.00",
        total_amount="1342.00",
    )
    expenses.expense_line_add(
        actor=staff,
        report=report,
        supplier_name="Autoaccessori Rossi",
        supplier_vat_number="00743110157",
        invoice_number="F-89",
        invoice_date=datetime.date(2021, 3, 3),
        description="Tappetini",
        net_amount="60.00",
        vat_amount="13.20",
        total_amount="73.20",
    )
    expenses.expense_report_submit(actor=staff, report=report)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REPORTING
    first, second = report.lines.order_by("pk")
    expenses.expense_line_set_eligibility(actor=official, line=first, eligible=True)
    expenses.expense_line_set_eligibility(
        actor=official, line=second, eligible=False, reason="Non pertinente"
    )
    payable = expenses.expense_report_payable(report=report)
    assert (payable.eligible_net, payable.allowed, payable.remaining, payable.amount) == (
        Decimal("1100.00"),
        Decimal("770.00"),  # 70% of the eligible net
        Decimal("833.00"),
        Decimal("770.00"),
    )
    before = chapter_151120(official)
    expenses.expense_report_verify(actor=official, report=report, act_number="700", act_date=TODAY)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.LIQUIDATED
    report.refresh_from_db()
    assert report.liquidation.reason == LiquidationReason.BALANCE
    commitment = Commitment.objects.get(pk=app.commitment_id)
    assert (commitment.liquidated_total, commitment.economies_total, commitment.to_liquidate) == (
        Decimal("770.00"),
        Decimal("63.00"),
        Decimal("0.00"),
    )
    after = chapter_151120(official)
    assert after.appropriation == Decimal("1650000.00")
    assert after.reserved == Decimal("1599999.88")
    assert after.committed == before.committed == Decimal("3282.30")  # 833.00 + 1,094.10 + 1,355.20
    assert after.liquidated == before.liquidated + Decimal("770.00") == Decimal("770.00")
    assert after.economies == before.economies + Decimal("63.00") == Decimal("63.00")
    assert after.committed_net == Decimal("3219.30")
    assert after.to_liquidate == Decimal("2449.30")
    assert after.available == Decimal("50000.12")
    reservation = Reservation.objects.get(pk=programme["taxi"].pk)
    assert reservation.available == Decimal("300000.00") - Decimal("3219.30")
    # The other two grants are closed by the official; then the call is closed out.
    with pytest.raises(ValidationError) as excinfo:
        expenses.call_close_out(actor=official, call=call)
    assert excinfo.value.message_dict["status"] == [str(expenses.ERROR_CALL_GRANTS_OPEN) % {"count": 2}]
    for other in apps[1:]:
        other.refresh_from_db()
        expenses.grant_close(
            actor=official,
            commitment=other.commitment,
            act_number="800",
            act_date=TODAY,
            reason="Rinuncia",
        )
    expenses.call_close_out(actor=official, call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED_OUT
    final = chapter_151120(official)
    assert final.committed_net == Decimal("770.00")
    assert final.to_liquidate == Decimal("0.00")
    assert Action.objects.get(pk=programme["taxi"].action_id).reservations.count() == 1
    assert Allocation.objects.filter(call=call).count() == 1
