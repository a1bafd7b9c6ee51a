"""API of allocations and expense reports: the same services behind, a permission matrix in front
(anonymous, other organisation, wrong role, right role), a denied call changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.choices import AllocationMethod, AllocationStatus, ApplicationStatus, ExpenseReportStatus
from funding.models import Allocation, Commitment, Economy, ExpenseLine, ExpenseReport, Liquidation
from funding.services import allocation as services
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_admitted, make_allocation_call, make_commitment
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
API = "/api/v1"
LINE = {
    "supplier_name": "Forniture Sicurezza S.r.l.",
    "supplier_vat_number": "00743110157",
    "invoice_number": "FT-1",
    "invoice_date": "2021-03-01",
    "description": "Body-cam",
    "net_amount": "1000.00",
    "vat_amount": "220.00",
    "total_amount": "1220.00",
}


def snapshot():
    return (
        Allocation.objects.count(),
        Commitment.objects.count(),
        ExpenseReport.objects.count(),
        ExpenseLine.objects.count(),
        Liquidation.objects.count(),
        Economy.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def world():
    beneficiary = OrganisationFactory(name="Comune di Prova")
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount="1000.00")
    apps = [make_admitted(call, beneficiary, declared_weight=3), make_admitted(call, declared_weight=1)]
    return {
        "call": call,
        "apps": apps,
        "beneficiary": beneficiary,
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
        "staff": make_user(Role.APPLICANT, beneficiary),
        "stranger": make_user(Role.APPLICANT),
    }


def client(world, who):
    return api_client_for(None if who == "anonymous" else world[who])


# --- Allocations ---------------------------------------------------------------------------------
def test_official_proposes_reads_and_adopts(world):
    api = client(world, "official")
    response = api.post(f"{API}/allocations/propose/", {"call": world["call"].pk}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["round"], data["allocated_total"]) == ("proposed", 1, "1000.00")
    assert data["totals"]["rows"] == 2
    assert data["inputs"]["method"] == "declared_weight"
    pk = data["id"]
    rows = api.get(f"{API}/allocations/{pk}/rows/").json()
    assert rows["count"] == 2
    assert [r["amount"] for r in rows["results"]] == ["750.00", "250.00"]
    assert rows["results"][0]["rule_text"].startswith("Peso 3 su 4") or rows["results"][0]["rule_text"]
    effect = api.get(f"{API}/allocations/{pk}/effect/").json()
    assert (effect["available_before"], effect["available_after"], effect["commitments"]) == (
        "1000.00",
        "0.00",
        2,
    )
    response = api.post(
        f"{API}/allocations/{pk}/adopt/", {"act_number": "5", "act_date": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "adopted"
    again = api.post(
        f"{API}/allocations/{pk}/adopt/", {"act_number": "6", "act_date": TODAY.isoformat()}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == [
        str(services.ERROR_NOT_CURRENT) % {"status": AllocationStatus.ADOPTED.label}
    ]


def test_rows_search_and_query_count(world, django_assert_max_num_queries):
    allocation = services.allocation_propose(actor=world["official"], call=world["call"])
    api = client(world, "auditor")
    found = api.get(f"{API}/allocations/{allocation.pk}/rows/", {"q": "Prova"}).json()
    assert [r["beneficiary_name"] for r in found["results"]] == ["Comune di Prova"]
    with django_assert_max_num_queries(6):
        api.get(f"{API}/allocations/{allocation.pk}/rows/")
    with django_assert_max_num_queries(5):
        api.get(f"{API}/allocations/")


def test_adopt_needs_the_act_number(world):
    allocation = services.allocation_propose(actor=world["official"], call=world["call"])
    response = client(world, "official").post(
        f"{API}/allocations/{allocation.pk}/adopt/",
        {"act_number": "", "act_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "act_number" in response.json()
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.PROPOSED


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [("anonymous", 401, 401), ("staff", 403, 403), ("stranger", 403, 403), ("auditor", 200, 403)],
)
def test_allocation_permission_matrix(world, who, read, write):
    allocation = services.allocation_propose(actor=world["official"], call=world["call"])
    api = client(world, who)
    before = snapshot()
    assert api.get(f"{API}/allocations/").status_code == read
    assert api.get(f"{API}/allocations/{allocation.pk}/").status_code == read
    assert api.get(f"{API}/allocations/{allocation.pk}/rows/").status_code == read
    assert api.get(f"{API}/allocations/{allocation.pk}/effect/").status_code == read
    assert (
        api.post(f"{API}/allocations/propose/", {"call": world["call"].pk}, format="json").status_code
        == write
    )
    act = {"act_number": "1", "act_date": TODAY.isoformat()}
    assert api.post(f"{API}/allocations/{allocation.pk}/adopt/", act, format="json").status_code == write
    assert (
        api.post(f"{API}/allocations/rerank/", {"call": world["call"].pk}, format="json").status_code == write
    )
    cancel = {**act, "application": world["apps"][0].pk, "reason": "x"}
    assert api.post(f"{API}/allocations/cancel-grant/", cancel, format="json").status_code == write
    assert snapshot() == before


def test_scorrimento_and_grant_cancellation_through_the_api(world):
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED,
        amount="2000.00",
        params={"percentage": "50", "cap": "1000.00", "allow_partial_last": True},
        eligible_basis="net",
    )
    t0 = timezone.now() - datetime.timedelta(days=3)
    apps = [
        make_admitted(call, quote_net=Decimal(q), submitted_at=t0 + datetime.timedelta(minutes=i))
        for i, q in enumerate(["2000.00", "2000.00", "2000.00"])
    ]
    api = client(world, "official")
    pk = api.post(f"{API}/allocations/propose/", {"call": call.pk}, format="json").json()["id"]
    act = {"act_number": "1", "act_date": TODAY.isoformat()}
    assert api.post(f"{API}/allocations/{pk}/adopt/", act, format="json").status_code == 200
    response = api.post(
        f"{API}/allocations/cancel-grant/",
        {**act, "application": apps[0].pk, "reason": "Rinuncia"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "1000.00"
    response = api.post(f"{API}/allocations/rerank/", {"call": call.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["round"] == 2
    rows = api.get(f"{API}/allocations/{response.json()['id']}/rows/").json()["results"]
    assert [(r["application"], r["granted_before"], r["amount"]) for r in rows] == [
        (apps[1].pk, "1000.00", "1000.00"),
        (apps[2].pk, "0.00", "1000.00"),
    ]


# --- Expense reports -------------------------------------------------------------------------------
@pytest.fixture
def grant(world):
    commitment = make_commitment("2000.00", beneficiary=world["beneficiary"])
    return {**world, "commitment": commitment}


def test_beneficiary_reports_and_official_verifies(grant):
    staff = client(grant, "staff")
    response = staff.post(f"{API}/expense-reports/", {"commitment": grant["commitment"].pk}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    wrong = staff.post(f"{API}/expense-reports/{pk}/lines/", {**LINE, "total_amount": "1.00"}, format="json")
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["total_amount"]
    line = staff.post(f"{API}/expense-reports/{pk}/lines/", LINE, format="json")
    assert line.status_code == 201, line.content
    assert staff.post(f"{API}/expense-reports/{pk}/submit/").json()["status"] == "submitted"
    assert staff.get(f"{API}/grants/").json()["count"] == 1
    official = client(grant, "official")
    line_id = line.json()["id"]
    decided = official.post(
        f"{API}/expense-reports/{pk}/lines/{line_id}/eligibility/", {"eligible": True}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["eligible"] is True
    payable = official.get(f"{API}/expense-reports/{pk}/payable/").json()
    assert (payable["allowed"], payable["amount"]) == ("1220.00", "1220.00")
    verified = official.post(
        f"{API}/expense-reports/{pk}/verify/",
        {"act_number": "9", "act_date": TODAY.isoformat()},
        format="json",
    )
    assert verified.status_code == 200, verified.content
    assert (verified.json()["status"], verified.json()["payable_amount"]) == ("verified", "1220.00")
    commitment = Commitment.objects.get(pk=grant["commitment"].pk)
    assert (commitment.liquidated_total, commitment.economies_total) == (
        Decimal("1220.00"),
        Decimal("780.00"),
    )


def test_official_closes_a_grant(grant):
    response = client(grant, "official").post(
        f"{API}/grants/{grant['commitment'].pk}/close/",
        {"act_number": "9", "act_date": TODAY.isoformat(), "reason": "Termine scaduto"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "2000.00"


@pytest.mark.parametrize("who", ["anonymous", "stranger", "auditor", "official"])
def test_only_the_beneficiary_opens_and_fills_a_report(grant, who):
    report = ExpenseReport.objects.create(commitment=grant["commitment"])
    api = client(grant, who)
    before = snapshot()
    expected = {"anonymous": 401, "stranger": 403, "auditor": 403, "official": 403}[who]
    created = api.post(f"{API}/expense-reports/", {"commitment": grant["commitment"].pk}, format="json")
    assert created.status_code == expected
    line = api.post(f"{API}/expense-reports/{report.pk}/lines/", LINE, format="json")
    # Someone who cannot see the report does not learn it exists.
    assert line.status_code == {"anonymous": 401, "stranger": 404, "auditor": 403, "official": 403}[who]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["anonymous", "staff", "stranger", "auditor"])
def test_only_officials_examine_verify_and_close(grant, who):
    staff = client(grant, "staff")
    pk = staff.post(f"{API}/expense-reports/", {"commitment": grant["commitment"].pk}, format="json").json()[
        "id"
    ]
    line_id = staff.post(f"{API}/expense-reports/{pk}/lines/", LINE, format="json").json()["id"]
    staff.post(f"{API}/expense-reports/{pk}/submit/")
    api = client(grant, who)
    before = snapshot()
    hidden = {"anonymous": 401, "stranger": 404}.get(who, 403)
    act = {"act_number": "1", "act_date": TODAY.isoformat()}
    assert (
        api.post(
            f"{API}/expense-reports/{pk}/lines/{line_id}/eligibility/", {"eligible": True}, format="json"
        ).status_code
        == hidden
    )
    assert api.post(f"{API}/expense-reports/{pk}/verify/", act, format="json").status_code == hidden
    assert (
        api.post(f"{API}/expense-reports/{pk}/return/", {"reason": "x"}, format="json").status_code == hidden
    )
    closing = api.post(f"{API}/grants/{grant['commitment'].pk}/close/", act, format="json").status_code
    assert closing == {"anonymous": 401, "stranger": 404, "staff": 403, "auditor": 403}[who]
    assert snapshot() == before
    assert ExpenseLine.objects.get(pk=line_id).eligible is None


def test_reports_are_scoped_to_the_organisation(grant):
    ExpenseReport.objects.create(commitment=grant["commitment"])
    assert client(grant, "staff").get(f"{API}/expense-reports/").json()["count"] == 1
    assert client(grant, "stranger").get(f"{API}/expense-reports/").json()["count"] == 0
    assert client(grant, "auditor").get(f"{API}/expense-reports/").json()["count"] == 1


def test_application_report_moves_the_application(world):
    official = world["official"]
    allocation = services.allocation_propose(actor=official, call=world["call"])
    services.allocation_adopt(actor=official, allocation=allocation, act_number="1", act_date=TODAY)
    app = world["apps"][0]
    staff = client(world, "staff")
    response = staff.post(
        f"{API}/expense-reports/", {"application": app.pk, "is_final": False}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    staff.post(f"{API}/expense-reports/{pk}/lines/", LINE, format="json")
    staff.post(f"{API}/expense-reports/{pk}/submit/")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REPORTING
    assert ExpenseReport.objects.get(pk=pk).status == ExpenseReportStatus.SUBMITTED
