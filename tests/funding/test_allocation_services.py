"""Allocation services: propose (inputs and rows stored), adopt (commitments in one transaction),
scroll the ranking. Each refusal names its rule and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from funding.choices import (
    AllocationMethod,
    AllocationOutcome,
    AllocationStatus,
    ApplicationStatus,
    CallStatus,
    CommitmentStatus,
)
from funding.models import Allocation, AllocationRow, Commitment
from funding.services import allocation as services
from funding.services.ledger import commitment_create
from funding.services.workflow import application_transition
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ACT, make_admitted, make_allocation_call

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
T0 = timezone.now() - datetime.timedelta(days=30)


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


def at(minutes: int):
    return T0 + datetime.timedelta(minutes=minutes)


def weight_call(weights, amount="800000.00"):
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount=amount)
    apps = [
        make_admitted(call, OrganisationFactory(name=f"Ente {i}"), declared_weight=w, submitted_at=at(i))
        for i, w in enumerate(weights)
    ]
    return call, apps


def taxi_call(quotes, *, amount="3000.00", params=None):
    params = params or {
        "percentage": "70",
        "cap": "1500.00",
        "ranking": "submitted_at",
        "allow_partial_last": True,
    }
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED, amount=amount, params=params, eligible_basis="net"
    )
    apps = [
        make_admitted(call, OrganisationFactory(name=f"Taxi {i}"), quote_net=Decimal(q), submitted_at=at(i))
        for i, q in enumerate(quotes)
    ]
    return call, apps


def test_declared_weight_proposal_stores_inputs_rows_and_rules(official):
    call, apps = weight_call([3, 1])
    allocation = services.allocation_propose(actor=official, call=call)
    assert allocation.status == AllocationStatus.PROPOSED
    assert allocation.round == 1
    assert allocation.total == Decimal("800000.00")
    assert allocation.allocated_total == Decimal("800000.00")
    assert allocation.inputs["method"] == "declared_weight"
    assert [c["weight"] for c in allocation.inputs["candidates"]] == ["3", "1"]
    rows = list(allocation.rows.order_by("position"))
    assert [(r.application_id, r.amount) for r in rows] == [
        (apps[0].pk, Decimal("600000.00")),
        (apps[1].pk, Decimal("200000.00")),
    ]
    assert rows[0].beneficiary_id == apps[0].applicant_id
    assert rows[0].rule_params["weight_total"] == "4"
    assert services.rule_text_in(rows[0], "en") == "Weight 3 of 4: exact quota 600,000.00 €, no rounding"
    event = AuditEvent.objects.get(action="allocation.proposed")
    assert event.after["rows"] == 2
    assert event.actor == official


def test_a_new_proposal_supersedes_the_older_one(official):
    call, _ = weight_call([3, 1])
    first = services.allocation_propose(actor=official, call=call)
    second = services.allocation_propose(actor=official, call=call)
    first.refresh_from_db()
    assert first.status == AllocationStatus.SUPERSEDED
    assert second.status == AllocationStatus.PROPOSED
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_adopt(actor=official, allocation=first, act_number="1", act_date=TODAY)
    assert excinfo.value.code == "not_current"
    assert not Commitment.objects.exists()


def test_adoption_commits_grants_and_moves_everything_on(official, django_capture_on_commit_callbacks):
    call, apps = weight_call([3, 1])
    make_user(Role.APPLICANT, apps[0].applicant, email="ente0@example.org")
    allocation = services.allocation_propose(actor=official, call=call)
    effect = services.allocation_effect(allocation=allocation)
    assert (effect.available_before, effect.available_after, effect.commitments) == (
        Decimal("800000.00"),
        Decimal("0.00"),
        2,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.allocation_adopt(actor=official, allocation=allocation, act_number="77/2020", act_date=TODAY)
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.ADOPTED
    assert (allocation.act_number, allocation.act_date, allocation.adopted_by) == (
        "77/2020",
        TODAY,
        official,
    )
    for app, amount in zip(apps, ("600000.00", "200000.00"), strict=True):
        app.refresh_from_db()
        assert app.status == ApplicationStatus.GRANTED
        assert app.granted_amount == Decimal(amount)
        assert app.commitment.amount == Decimal(amount)
        assert app.commitment.act_number == "77/2020"
        assert app.commitment.allocation_row.allocation == allocation
        assert app.rank is None  # a proportional split is not a ranking
    call.refresh_from_db()
    assert call.status == CallStatus.AWARDED
    reservation = call.reservation
    reservation.refresh_from_db()
    assert reservation.available == Decimal("0.00")
    assert AuditEvent.objects.filter(action="application.granted").count() == 2
    assert AuditEvent.objects.filter(action="ledger.commitment.created").count() == 2
    assert AuditEvent.objects.filter(action="allocation.adopted").count() == 1
    assert [m.to for m in mail.outbox] == [["ente0@example.org"]]
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_adopt(actor=official, allocation=allocation, act_number="78", act_date=TODAY)
    assert excinfo.value.code == "not_current"
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_propose(actor=official, call=call)
    assert excinfo.value.messages == [str(services.ERROR_ALREADY_ADOPTED)]


def test_adoption_needs_the_act(official):
    call, _ = weight_call([1])
    allocation = services.allocation_propose(actor=official, call=call)
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_adopt(actor=official, allocation=allocation, act_number=" ", act_date=TODAY)
    assert excinfo.value.message_dict == {"act_number": [str(services.ERROR_ACT_NUMBER)]}
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_adopt(
            actor=official,
            allocation=allocation,
            act_number="1",
            act_date=TODAY + datetime.timedelta(days=1),
        )
    assert list(excinfo.value.message_dict) == ["act_date"]
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.PROPOSED


def test_adoption_refuses_a_stale_proposal(official):
    call, apps = weight_call([3, 1])
    allocation = services.allocation_propose(actor=official, call=call)
    application_transition(actor=None, application=apps[1], to_status=ApplicationStatus.WITHDRAWN)
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_adopt(actor=official, allocation=allocation, act_number="1", act_date=TODAY)
    assert excinfo.value.code == "stale"
    assert not Commitment.objects.exists()
    apps[0].refresh_from_db()
    assert apps[0].status == ApplicationStatus.ADMISSIBLE


def test_adoption_refuses_when_the_reservation_no_longer_has_the_money(official):
    call, _ = weight_call([3, 1], amount="1000.00")
    allocation = services.allocation_propose(actor=official, call=call)
    commitment_create(
        actor=None,
        reservation=call.reservation,
        beneficiary=OrganisationFactory(),
        amount=Decimal("0.01"),
        act=ACT,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_adopt(actor=official, allocation=allocation, act_number="1", act_date=TODAY)
    assert excinfo.value.code == "insufficient_funds"
    assert "999,99" in excinfo.value.messages[0]
    assert Commitment.objects.count() == 1


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AUDITOR, None])
def test_only_officials_propose_and_adopt(official, role):
    call, _ = weight_call([1, 1])
    allocation = services.allocation_propose(actor=official, call=call)
    actor = make_user(role) if role else make_user()
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.allocation_propose(actor=actor, call=call)
    with pytest.raises(PermissionDenied):
        services.allocation_adopt(actor=actor, allocation=allocation, act_number="1", act_date=TODAY)
    assert AuditEvent.objects.count() == events
    assert Allocation.objects.filter(call=call).count() == 1
    assert not Commitment.objects.exists()


def test_open_call_cannot_be_allocated(official):
    call = make_allocation_call(
        method=AllocationMethod.FIXED, params={"amount": "100.00"}, status="published"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_propose(actor=official, call=call)
    assert excinfo.value.messages == [str(services.ERROR_CALL_OPEN)]


def test_missing_declared_weight_is_named(official):
    call, _ = weight_call([3])
    make_admitted(call, declared_weight=None)
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_propose(actor=official, call=call)
    assert "declared_weight" in excinfo.value.message_dict
    assert not Allocation.objects.exists()


def test_ranked_call_caps_funds_in_order_and_the_last_partly(official):
    # 70% of the quote, at most 1,500.00: 1,500 (capped) + 1,400 + 100 of 700 (partial) + nothing.
    call, apps = taxi_call(["2500.00", "2000.00", "1000.00", "1500.00"])
    allocation = services.allocation_propose(actor=official, call=call)
    rows = list(allocation.rows.order_by("position"))
    assert [(r.requested, r.amount, r.outcome) for r in rows] == [
        (Decimal("1500.00"), Decimal("1500.00"), AllocationOutcome.FUNDED),
        (Decimal("1400.00"), Decimal("1400.00"), AllocationOutcome.FUNDED),
        (Decimal("700.00"), Decimal("100.00"), AllocationOutcome.PARTLY_FUNDED),
        (Decimal("1050.00"), Decimal("0.00"), AllocationOutcome.NOT_FUNDED),
    ]
    services.allocation_adopt(actor=official, allocation=allocation, act_number="5", act_date=TODAY)
    statuses = []
    for app in apps:
        app.refresh_from_db()
        statuses.append((app.status, app.rank, app.granted_amount))
    assert statuses == [
        (ApplicationStatus.GRANTED, 1, Decimal("1500.00")),
        (ApplicationStatus.GRANTED, 2, Decimal("1400.00")),
        (ApplicationStatus.GRANTED, 3, Decimal("100.00")),
        (ApplicationStatus.NOT_FUNDED, 4, None),
    ]
    assert Commitment.objects.count() == 3
    call.refresh_from_db()
    assert call.status == CallStatus.RANKED


def test_scorrimento_after_a_withdrawal_funds_the_next_and_never_decreases(official):
    call, apps = taxi_call(["2500.00", "2000.00", "1000.00", "1500.00"])
    first = services.allocation_propose(actor=official, call=call)
    services.allocation_adopt(actor=official, allocation=first, act_number="5", act_date=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_rerank(actor=official, call=call)
    assert excinfo.value.code == "nothing_freed"
    # The second withdraws: its 1,400.00 go back to the reservation.
    application_transition(actor=None, application=apps[1], to_status=ApplicationStatus.WITHDRAWN)
    economy = services.grant_cancel(actor=official, application=apps[1], act_number="6", act_date=TODAY)
    assert economy.amount == Decimal("1400.00")
    apps[1].refresh_from_db()
    assert apps[1].commitment.status == CommitmentStatus.CANCELLED
    second = services.allocation_rerank(actor=official, call=call)
    assert second.round == 2
    assert second.inputs["params"]["granted"] == {str(apps[0].pk): "1500.00", str(apps[2].pk): "100.00"}
    assert second.inputs["params"]["released"] == {str(apps[1].pk): "1400.00"}
    by_app = {r.application_id: r for r in second.rows.all()}
    assert by_app[apps[0].pk].amount == Decimal("1500.00")
    assert (by_app[apps[2].pk].granted_before, by_app[apps[2].pk].amount) == (
        Decimal("100.00"),
        Decimal("700.00"),
    )
    assert by_app[apps[3].pk].amount == Decimal("800.00")  # the next one, partly (800 of 1,050)
    effect = services.allocation_effect(allocation=second)
    assert (effect.granted, effect.increased, effect.committed, effect.returned) == (
        1,
        1,
        Decimal("1500.00"),  # 700 (replacing the 100) + 800
        Decimal("100.00"),
    )
    assert effect.available_after == Decimal("0.00")
    services.allocation_adopt(actor=official, allocation=second, act_number="7", act_date=TODAY)
    for app in apps:
        app.refresh_from_db()
    assert apps[0].granted_amount == Decimal("1500.00")
    assert apps[0].commitment.act_number == "5"  # untouched
    assert (apps[2].status, apps[2].granted_amount, apps[2].commitment.amount) == (
        ApplicationStatus.GRANTED,
        Decimal("700.00"),
        Decimal("700.00"),
    )
    assert apps[2].rank == 3  # the approved ranking is kept
    assert (apps[3].status, apps[3].granted_amount) == (ApplicationStatus.GRANTED, Decimal("800.00"))
    live = Commitment.objects.exclude(status=CommitmentStatus.CANCELLED)
    assert sorted(c.amount for c in live) == [Decimal("700.00"), Decimal("800.00"), Decimal("1500.00")]
    reservation = call.reservation
    reservation.refresh_from_db()
    assert reservation.available == Decimal("0.00")
    assert AuditEvent.objects.filter(action="application.grant_increased").count() == 1
    assert AuditEvent.objects.filter(action="allocation.reranked").count() == 1


def test_revoking_a_running_grant_needs_a_reason(official):
    call, apps = taxi_call(["1000.00"])
    allocation = services.allocation_propose(actor=official, call=call)
    services.allocation_adopt(actor=official, allocation=allocation, act_number="5", act_date=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.grant_cancel(actor=official, application=apps[0], act_number="6", act_date=TODAY)
    assert excinfo.value.message_dict == {"reason": [str(services.ERROR_REVOKE_REASON)]}
    services.grant_cancel(
        actor=official, application=apps[0], act_number="6", act_date=TODAY, reason="Veicolo non conforme"
    )
    apps[0].refresh_from_db()
    assert apps[0].status == ApplicationStatus.REVOKED
    assert apps[0].decision_reason == "Veicolo non conforme"


def test_proportional_calls_do_not_scroll(official):
    call, _ = weight_call([1])
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_rerank(actor=official, call=call)
    assert excinfo.value.code == "not_ranked"


def test_population_split_of_chosen_comuni(official, comuni):
    call = make_allocation_call(
        method=AllocationMethod.POPULATION,
        amount="1000.00",
        requires_application=False,
        status="draft",
        reference_date=datetime.date(2022, 1, 1),
        params={"comuni": ["001272", "004078"]},
    )
    allocation = services.allocation_propose(actor=official, call=call)
    rows = list(allocation.rows.select_related("beneficiary__comune").order_by("position"))
    assert [r.beneficiary.comune.istat_code for r in rows] == ["001272", "004078"]
    assert sum(r.amount for r in rows) == Decimal("1000.00")
    services.allocation_adopt(actor=official, allocation=allocation, act_number="1", act_date=TODAY)
    call.refresh_from_db()
    assert call.status == CallStatus.AWARDED
    assert [
        e.after["status"] for e in AuditEvent.objects.filter(action__startswith="call.").order_by("seq")
    ] == [
        "published",
        "closed",
        "ranked",
        "awarded",
    ]


def test_unknown_comune_is_named(official, comuni):
    call = make_allocation_call(
        method=AllocationMethod.POPULATION,
        requires_application=False,
        reference_date=datetime.date(2022, 1, 1),
        params={"comuni": ["001272", "999999"]},
    )
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_propose(actor=official, call=call)
    assert "999999" in excinfo.value.message_dict["allocation_params"][0]


def test_population_needs_the_reference_date(official):
    call = make_allocation_call(method=AllocationMethod.POPULATION, requires_application=False)
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_propose(actor=official, call=call)
    assert excinfo.value.message_dict == {"reference_date": [str(services.ERROR_REFERENCE_DATE)]}


def test_the_acts_pdfs_are_queued_only_after_the_adoption_commits(
    official, django_capture_on_commit_callbacks, monkeypatch
):
    from funding.services.allocation import act_pdfs

    called = []
    monkeypatch.setattr(act_pdfs, "annex_schedule", lambda allocation_id: called.append(allocation_id))
    call, _ = weight_call([1])
    allocation = services.allocation_propose(actor=official, call=call)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.allocation_adopt(actor=official, allocation=allocation, act_number="1", act_date=TODAY)
    assert called == []  # nothing rendered or queued inside the adoption's transaction
    for callback in callbacks:
        callback()
    assert called == [allocation.pk]


def test_rows_keep_the_exact_quota(official):
    call, _ = weight_call([1, 1, 1], amount="100.00")
    allocation = services.allocation_propose(actor=official, call=call)
    rows = list(AllocationRow.objects.filter(allocation=allocation).order_by("position"))
    assert [r.exact_quota for r in rows] == [Decimal("33.333333")] * 3
    assert sorted(r.amount for r in rows) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
