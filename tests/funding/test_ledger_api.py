"""Ledger API: the permission matrix (a denied call changes nothing), writes through the services with
their field errors, filters, no edits of money, and the schema."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.choices import CommitmentStatus
from funding.models import BudgetChapter, Commitment, Economy, Liquidation, Reservation
from funding.services import ledger
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ACT, ActionFactory, ChapterFactory, make_commitment, make_reservation
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2021, 6, 30)
LISTS = ["programme", "chapter", "reservation", "commitment", "liquidation", "economy"]


@pytest.fixture
def book():
    """Two beneficiaries with a commitment each on one reservation; one liquidation and one economy each."""
    chapter = ChapterFactory(number="151120", year=2020, appropriation=Decimal("1650000.00"))
    action = ActionFactory()
    reservation = make_reservation("800000.00", chapter=chapter, action=action)
    mine, other = OrganisationFactory(name="Comune di Cuneo"), OrganisationFactory(name="Comune di Asti")
    commitments = {
        org: make_commitment(amount, reservation=reservation, beneficiary=org)
        for org, amount in ((mine, "100000.00"), (other, "50000.00"))
    }
    for commitment in commitments.values():
        ledger.liquidation_create(
            actor=None,
            commitment=commitment,
            amount=Decimal("1000.00"),
            date=TODAY,
            act=ACT,
            reason="acconto",
        )
        ledger.economy_create(actor=None, commitment=commitment, amount=Decimal("10.00"), date=TODAY, act=ACT)
    return {
        "chapter": chapter,
        "action": action,
        "reservation": reservation,
        "mine": mine,
        "other": other,
        "commitment": commitments[mine],
        "other_commitment": commitments[other],
    }


def url(name: str, *args) -> str:
    return reverse(f"v1:{name}", args=args)


def counts() -> tuple:
    return (
        BudgetChapter.objects.order_by("pk").values_list("reserved_total", flat=True).first(),
        Reservation.objects.count(),
        Commitment.objects.count(),
        Liquidation.objects.count(),
        Economy.objects.count(),
        AuditEvent.objects.count(),
        tuple(Commitment.objects.order_by("pk").values_list("status", flat=True)),
    )


ACT_DATA = {"act_type": "dd", "act_number": "129", "act_date": "2021-04-23"}


def writes(book) -> list[tuple[str, dict]]:
    """Every write endpoint with data an official could post."""
    commitment = book["commitment"].pk
    return [
        (
            url("reservation-list"),
            {**ACT_DATA, "action": book["action"].pk, "chapter": book["chapter"].pk, "amount": "10.00"},
        ),
        (
            url("commitment-list"),
            {
                **ACT_DATA,
                "reservation": book["reservation"].pk,
                "beneficiary": book["mine"].pk,
                "amount": "10.00",
            },
        ),
        (
            url("liquidation-list"),
            {
                **ACT_DATA,
                "commitment": commitment,
                "amount": "10.00",
                "date": "2021-05-01",
                "reason": "saldo",
            },
        ),
        (
            url("economy-list"),
            {**ACT_DATA, "commitment": commitment, "amount": "10.00", "date": "2021-05-01"},
        ),
        (url("commitment-confirm", commitment), {}),
        (url("commitment-cancel", commitment), {**ACT_DATA, "date": "2021-05-01"}),
    ]


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- Reading --------------------------------------------------------------------------------------------
def test_anonymous_gets_401_everywhere(book):
    client = api_client_for(None)
    for name in LISTS:
        assert client.get(url(f"{name}-list")).status_code == 401, name
    assert client.get(url("commitment-detail", book["commitment"].pk)).status_code == 401
    before = counts()
    for path, data in writes(book):
        assert client.post(path, data, format="json").status_code == 401, path
    assert counts() == before


@pytest.mark.parametrize("role", [Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.ADMINISTRATOR])
def test_the_regions_readers_read_everything(book, role):
    client = api_client_for(make_user(role))
    for name in LISTS:
        response = client.get(url(f"{name}-list"))
        assert response.status_code == 200, name
        assert response.json()["count"] >= 1, name
    assert ids(client.get(url("commitment-list"))) == {book["commitment"].pk, book["other_commitment"].pk}
    chapter = client.get(url("chapter-detail", book["chapter"].pk)).json()
    assert chapter["reserved"] == "800000.00"
    assert chapter["committed"] == "150000.00"
    assert chapter["economies"] == "20.00"
    assert chapter["liquidated"] == "2000.00"
    assert chapter["to_liquidate"] == "147980.00"
    assert chapter["available"] == "850000.00"


def test_applicants_read_only_their_own_commitments_and_liquidations(book):
    client = api_client_for(make_user(Role.APPLICANT, book["mine"]))
    assert ids(client.get(url("commitment-list"))) == {book["commitment"].pk}
    liquidations = client.get(url("liquidation-list")).json()["results"]
    assert [row["beneficiary"] for row in liquidations] == [book["mine"].pk]
    assert liquidations[0]["created_by"] is None  # who at the Region recorded it is not theirs to see
    commitment = client.get(url("commitment-detail", book["commitment"].pk)).json()
    assert commitment["amount"] == "100000.00"
    assert commitment["to_liquidate"] == "98990.00"
    assert client.get(url("commitment-detail", book["other_commitment"].pk)).status_code == 404
    # Nothing else of the ledger.
    for name in ("chapter", "reservation", "economy"):
        assert client.get(url(f"{name}-list")).status_code == 403, name
    assert client.get(url("chapter-detail", book["chapter"].pk)).status_code == 403
    # The programme's structure (axes and actions, no money) is public law: readable.
    assert client.get(url("programme-list")).status_code == 200


def test_an_applicant_of_another_organisation_sees_none_of_these(book):
    client = api_client_for(make_user(Role.APPLICANT))
    assert client.get(url("commitment-list")).json()["count"] == 0
    assert client.get(url("liquidation-list")).json()["count"] == 0
    assert client.get(url("commitment-detail", book["commitment"].pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.EU_PROJECT_MANAGER, Role.INVENTORY_MANAGER])
def test_other_roles_read_nothing_of_the_ledger(book, role):
    client = api_client_for(make_user(role, book["mine"]))
    for name in ("chapter", "reservation", "commitment", "liquidation", "economy"):
        assert client.get(url(f"{name}-list")).status_code == 403, name


def test_programmes_with_axes_and_actions(book):
    response = api_client_for(make_user(Role.AUDITOR)).get(url("programme-list"))
    programme = response.json()["results"][0]
    action = programme["axes"][0]["actions"][0]
    assert action["id"] == book["action"].pk
    assert action["code"] == book["action"].code


def test_reservation_figures(book):
    row = (
        api_client_for(make_user(Role.AUDITOR)).get(url("reservation-detail", book["reservation"].pk)).json()
    )
    assert row["amount"] == "800000.00"
    assert row["committed"] == "150000.00"
    assert row["committed_net"] == "149980.00"
    assert row["available"] == "650020.00"
    assert row["chapter_label"] == "151120/2020"


def test_filters(book):
    client = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    later = make_reservation("10.00", chapter=ChapterFactory(year=2021))
    assert ids(client.get(url("reservation-list"), {"year": 2021})) == {later.pk}
    assert ids(client.get(url("reservation-list"), {"chapter": book["chapter"].pk})) == {
        book["reservation"].pk
    }
    assert ids(client.get(url("reservation-list"), {"action": later.action_id})) == {later.pk}
    assert ids(client.get(url("commitment-list"), {"beneficiary": book["other"].pk})) == {
        book["other_commitment"].pk
    }
    assert ids(client.get(url("commitment-list"), {"year": 2021})) == set()
    ledger.commitment_confirm(actor=None, commitment=book["commitment"])
    assert ids(client.get(url("commitment-list"), {"status": "definitive"})) == {book["commitment"].pk}
    assert client.get(url("commitment-list"), {"act_date_from": "2020-05-02"}).json()["count"] == 0
    assert client.get(url("commitment-list"), {"act_date_to": "2020-05-01"}).json()["count"] == 2
    assert client.get(url("liquidation-list"), {"date_from": "2021-07-01"}).json()["count"] == 0
    assert (
        client.get(url("liquidation-list"), {"date_to": "2021-06-30", "reason": "acconto"}).json()["count"]
        == 2
    )
    assert client.get(url("economy-list"), {"commitment": book["commitment"].pk}).json()["count"] == 1
    assert client.get(url("chapter-list"), {"year": 2021}).json()["count"] == 1
    assert client.get(url("commitment-list"), {"status": "nonsense"}).status_code == 400


# --- Writing --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR, Role.APPLICANT, Role.EU_PROJECT_MANAGER])
def test_only_officials_write_and_a_denied_call_changes_nothing(book, role):
    client = api_client_for(make_user(role, book["mine"] if role == Role.APPLICANT else None))
    before = counts()
    for path, data in writes(book):
        assert client.post(path, data, format="json").status_code == 403, path
    assert counts() == before


def test_no_put_patch_or_delete_on_money(book):
    client = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    before = counts()
    details = [
        url("chapter-detail", book["chapter"].pk),
        url("reservation-detail", book["reservation"].pk),
        url("commitment-detail", book["commitment"].pk),
        url("liquidation-detail", Liquidation.objects.first().pk),
        url("economy-detail", Economy.objects.first().pk),
    ]
    for path in details:
        assert client.put(path, {"amount": "1.00"}, format="json").status_code == 405, path
        assert client.patch(path, {"amount": "1.00"}, format="json").status_code == 405, path
        assert client.delete(path).status_code == 405, path
    assert client.post(url("chapter-list"), {}, format="json").status_code == 405
    assert counts() == before


def test_officials_write_each_entry_through_the_services(book):
    official = make_user(Role.REGIONAL_OFFICIAL)
    client = api_client_for(official)
    (
        (reserve, reserve_data),
        (commit, commit_data),
        (liquidate, liquidate_data),
        (economy, economy_data),
        *_,
    ) = writes(book)

    response = client.post(reserve, {**reserve_data, "amount": "5000.00"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["available"] == "5000.00"
    assert Reservation.objects.get(pk=response.json()["id"]).created_by == official

    response = client.post(commit, {**commit_data, "cup": "e12b34567890123"}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "provisional"
    assert created["cup"] == "E12B34567890123"
    assert created["created_by"] == official.email

    response = client.post(
        liquidate,
        {**liquidate_data, "commitment": created["id"], "payment_date": "2021-05-10"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["payment_date"] == "2021-05-10"

    response = client.post(economy, {**economy_data, "commitment": book["commitment"].pk}, format="json")
    assert response.status_code == 201, response.json()

    actions = list(AuditEvent.objects.filter(actor=official).order_by("seq").values_list("action", "source"))
    assert actions == [
        ("ledger.reservation.created", "api"),
        ("ledger.commitment.created", "api"),
        ("ledger.liquidation.created", "api"),
        ("ledger.economy.created", "api"),
    ]


def test_confirm_and_cancel(book):
    client = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    commitment = book["commitment"]
    response = client.post(url("commitment-confirm", commitment.pk))
    assert response.status_code == 200
    assert response.json()["status"] == "definitive"
    response = client.post(url("commitment-confirm", commitment.pk))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Questo impegno è già definitivo."]}

    response = client.post(
        url("commitment-cancel", commitment.pk), {**ACT_DATA, "date": "2021-05-01"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "98990.00"  # 100,000 - 1,000 liquidated - 10 economy
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.CANCELLED
    before = counts()
    response = client.post(
        url("commitment-cancel", commitment.pk), {**ACT_DATA, "date": "2021-05-01"}, format="json"
    )
    assert response.status_code == 400
    assert counts() == before


def test_service_errors_are_400_on_the_field_and_nothing_is_written(book):
    client = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    _, (commit, commit_data), *_ = writes(book)
    before = counts()

    response = client.post(commit, {**commit_data, "amount": "650020.01"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "amount": [
            "Sulla prenotazione restano disponibili € 650.020,00 da impegnare; "
            "ne sono stati richiesti € 650.020,01."
        ]
    }
    response = client.post(
        commit, {**commit_data, "amount": "650020.01"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["amount"] == [
        "The reservation has €650,020.00 still available for commitments; €650,020.01 were requested."
    ]
    response = client.post(commit, {**commit_data, "amount": "-1.00"}, format="json")
    assert response.json() == {"amount": ["L'importo deve essere maggiore di zero."]}
    response = client.post(commit, {**commit_data, "act_date": "2999-01-01"}, format="json")
    assert list(response.json()) == ["act_date"]
    response = client.post(commit, {**commit_data, "cup": "nonsense"}, format="json")
    assert list(response.json()) == ["cup"]

    out_of_years = ActionFactory(start_year=2021, end_year=2022)
    response = client.post(
        url("reservation-list"),
        {**ACT_DATA, "action": out_of_years.pk, "chapter": book["chapter"].pk, "amount": "1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["chapter"]
    assert counts() == before


def test_schema_documents_the_ledger_endpoints():
    schema = api_client_for(make_user(Role.AUDITOR)).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for name in ("programmes", "chapters", "reservations", "commitments", "liquidations", "economies"):
        assert "get" in paths[f"/api/v1/{name}/"], name
        assert "get" in paths[f"/api/v1/{name}/{{id}}/"], name
    for name in ("reservations", "commitments", "liquidations", "economies"):
        post = paths[f"/api/v1/{name}/"]["post"]
        assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("InputRequest")
        assert {"201", "400", "403"} <= set(post["responses"]), name
        assert "put" not in paths[f"/api/v1/{name}/{{id}}/"]
    assert "200" in paths["/api/v1/commitments/{id}/confirm/"]["post"]["responses"]
    cancel = paths["/api/v1/commitments/{id}/cancel/"]["post"]
    assert cancel["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "LedgerCancelInputRequest"
    )
    list_params = {p["name"] for p in paths["/api/v1/commitments/"]["get"]["parameters"]}
    assert {
        "year",
        "chapter",
        "action",
        "beneficiary",
        "status",
        "act_date_from",
        "act_date_to",
        "page",
    } <= list_params
