"""The ledger's invariants, append-only rule, audit and permission checks (service level)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from funding.choices import CommitmentStatus
from funding.models import BudgetChapter, Commitment, Economy, Liquidation, Reservation
from funding.selectors import chapter_status
from funding.services import ledger
from portal.choices import Role
from portal.models import AuditEvent
from portal.models.base import AppendOnlyError
from portal.money import ERROR_AMOUNT_CENTS, ERROR_AMOUNT_NOT_POSITIVE
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ACT, ActionFactory, ChapterFactory, make_commitment, make_reservation
from tests.utils import requires_postgres

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2021, 6, 30)


def messages(exc: ValidationError, field: str = "amount") -> list[str]:
    return exc.message_dict[field]


def test_reservation_within_appropriation_and_refusal_states_availability():
    chapter = ChapterFactory(appropriation=Decimal("1650000.00"))
    action = ActionFactory()
    ledger.reservation_create(
        actor=None, action=action, chapter=chapter, amount=Decimal("1599999.88"), act=ACT
    )
    with pytest.raises(ValidationError) as excinfo:
        ledger.reservation_create(
            actor=None, action=action, chapter=chapter, amount=Decimal("50000.13"), act=ACT
        )
    assert "50.000,12" in messages(excinfo.value)[0]  # what is still available, in the user's format
    assert "50.000,13" in messages(excinfo.value)[0]
    chapter.refresh_from_db()
    assert chapter.reserved_total == Decimal("1599999.88")
    assert Reservation.objects.filter(chapter=chapter).count() == 1


@pytest.mark.parametrize(
    ("amount", "error"),
    [("0", ERROR_AMOUNT_NOT_POSITIVE), ("-5.00", ERROR_AMOUNT_NOT_POSITIVE), ("10.001", ERROR_AMOUNT_CENTS)],
)
def test_amounts_must_be_positive_with_cents(amount, error):
    reservation = make_reservation("100.00")
    with pytest.raises(ValidationError) as excinfo:
        ledger.commitment_create(
            actor=None, reservation=reservation, beneficiary=OrganisationFactory(), amount=amount, act=ACT
        )
    assert messages(excinfo.value) == [str(error)]
    assert not Commitment.objects.exists()


def test_float_amounts_are_refused():
    reservation = make_reservation("100.00")
    with pytest.raises(ValidationError):
        ledger.commitment_create(
            actor=None, reservation=reservation, beneficiary=OrganisationFactory(), amount=0.1, act=ACT
        )


def test_full_cycle_keeps_every_invariant():
    reservation = make_reservation("1000.00")
    beneficiary = OrganisationFactory()
    commitment = ledger.commitment_create(
        actor=None, reservation=reservation, beneficiary=beneficiary, amount=Decimal("600.00"), act=ACT
    )
    with pytest.raises(ValidationError) as excinfo:
        ledger.commitment_create(
            actor=None, reservation=reservation, beneficiary=beneficiary, amount=Decimal("400.01"), act=ACT
        )
    assert "400,00" in messages(excinfo.value)[0]

    ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("250.00"), date=TODAY, act=ACT, reason="acconto"
    )
    with pytest.raises(ValidationError) as excinfo:
        ledger.liquidation_create(
            actor=None, commitment=commitment, amount=Decimal("350.01"), date=TODAY, act=ACT
        )
    assert "350,00" in messages(excinfo.value)[0]

    ledger.economy_create(actor=None, commitment=commitment, amount=Decimal("100.00"), date=TODAY, act=ACT)
    with pytest.raises(ValidationError):  # only 250.00 is left to liquidate now
        ledger.liquidation_create(
            actor=None, commitment=commitment, amount=Decimal("250.01"), date=TODAY, act=ACT
        )
    ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("250.00"), date=TODAY, act=ACT
    )

    # The economy went back to the reservation: 500.00 can be committed again.
    ledger.commitment_create(
        actor=None, reservation=reservation, beneficiary=beneficiary, amount=Decimal("500.00"), act=ACT
    )
    reservation.refresh_from_db()
    assert reservation.available == Decimal("0.00")
    status = chapter_status(user=make_user(Role.AUDITOR)).get(pk=reservation.chapter_id)
    assert status.reserved == Decimal("1000.00")
    assert status.committed == Decimal("1100.00")
    assert status.economies == Decimal("100.00")
    assert status.committed_net == Decimal("1000.00")
    assert status.liquidated == Decimal("500.00")
    assert status.to_liquidate == Decimal("500.00")
    assert status.available == Decimal("999000.00")


def test_running_totals_match_the_entries():
    commitment = make_commitment("300.00")
    ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("100.00"), date=TODAY, act=ACT
    )
    ledger.economy_create(actor=None, commitment=commitment, amount=Decimal("50.00"), date=TODAY, act=ACT)
    commitment.refresh_from_db()
    assert commitment.liquidated_total == Liquidation.objects.aggregate(t=Sum("amount"))["t"]
    assert commitment.economies_total == Economy.objects.aggregate(t=Sum("amount"))["t"]
    reservation = Reservation.objects.get(pk=commitment.reservation_id)
    assert reservation.committed_total == Decimal("300.00")
    assert reservation.economies_total == Decimal("50.00")


def test_cancel_returns_the_remainder_and_blocks_further_entries():
    commitment = make_commitment("300.00")
    ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("100.00"), date=TODAY, act=ACT
    )
    economy = ledger.commitment_cancel(actor=None, commitment=commitment, date=TODAY, act=ACT)
    assert economy.amount == Decimal("200.00")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.CANCELLED
    with pytest.raises(ValidationError):
        ledger.liquidation_create(
            actor=None, commitment=commitment, amount=Decimal("1.00"), date=TODAY, act=ACT
        )


def test_entries_are_append_only():
    commitment = make_commitment("300.00")
    commitment.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        commitment.save()
    with pytest.raises(AppendOnlyError):
        commitment.delete()
    with pytest.raises(AppendOnlyError):
        Commitment.objects.filter(pk=commitment.pk).update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        Commitment.objects.all().delete()
    assert Commitment.objects.get(pk=commitment.pk).amount == Decimal("300.00")


def test_database_check_constraints_are_the_backstop():
    """Even code that bypasses the services cannot over-commit a reservation."""
    reservation = make_reservation("100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(committed_total=Decimal("100.01"))
    chapter = BudgetChapter.objects.get(pk=reservation.chapter_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetChapter.objects.filter(pk=chapter.pk).update(reserved_total=chapter.appropriation + 1)


@requires_postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE funding_commitment SET amount = 1 WHERE id = %(c)s",
        "UPDATE funding_commitment SET beneficiary_id = beneficiary_id WHERE id = %(c)s",
        "UPDATE funding_liquidation SET amount = 1 WHERE id = %(l)s",
        "DELETE FROM funding_liquidation WHERE id = %(l)s",
        "DELETE FROM funding_reservation WHERE id = %(r)s",
    ],
)
def test_postgres_refuses_raw_edits_of_money(sql):
    commitment = make_commitment("300.00")
    liquidation = ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("100.00"), date=TODAY, act=ACT
    )
    ids = {"c": commitment.pk, "l": liquidation.pk, "r": commitment.reservation_id}
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, ids)
    assert Commitment.objects.get(pk=commitment.pk).amount == Decimal("300.00")
    assert Liquidation.objects.get(pk=liquidation.pk).amount == Decimal("100.00")


def test_every_entry_is_audited_in_the_same_transaction():
    official = make_user(Role.REGIONAL_OFFICIAL)
    chapter = ChapterFactory()
    reservation = ledger.reservation_create(
        actor=official, action=ActionFactory(), chapter=chapter, amount=Decimal("500.00"), act=ACT
    )
    commitment = ledger.commitment_create(
        actor=official,
        reservation=reservation,
        beneficiary=OrganisationFactory(),
        amount=Decimal("200.00"),
        act=ACT,
    )
    ledger.liquidation_create(
        actor=official, commitment=commitment, amount=Decimal("150.00"), date=TODAY, act=ACT
    )
    ledger.economy_create(actor=official, commitment=commitment, amount=Decimal("50.00"), date=TODAY, act=ACT)
    actions = list(AuditEvent.objects.filter(actor=official).order_by("seq").values_list("action", flat=True))
    assert actions == [
        "ledger.reservation.created",
        "ledger.commitment.created",
        "ledger.liquidation.created",
        "ledger.economy.created",
    ]
    event = AuditEvent.objects.get(action="ledger.commitment.created", actor=official)
    assert event.after["amount"] == "200.00"
    assert event.organisation_id == commitment.beneficiary_id


def test_a_refused_entry_leaves_no_audit_event():
    reservation = make_reservation("100.00")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        ledger.commitment_create(
            actor=None,
            reservation=reservation,
            beneficiary=OrganisationFactory(),
            amount=Decimal("100.01"),
            act=ACT,
        )
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "role", [None, Role.APPLICANT, Role.AUDITOR, Role.EU_PROJECT_MANAGER, Role.ADMINISTRATOR]
)
def test_only_officials_write_the_ledger(role):
    user = make_user(role)
    reservation = make_reservation("100.00")
    with pytest.raises(PermissionDenied):
        ledger.commitment_create(
            actor=user,
            reservation=reservation,
            beneficiary=OrganisationFactory(),
            amount=Decimal("10.00"),
            act=ACT,
        )
    assert not Commitment.objects.exists()


def test_act_date_in_the_future_is_refused():
    reservation = make_reservation("100.00")
    future = ledger.Act(number="9", date=datetime.date(2999, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        ledger.commitment_create(
            actor=None, reservation=reservation, beneficiary=OrganisationFactory(), amount="10.00", act=future
        )
    assert "act_date" in excinfo.value.message_dict


def test_cup_format_is_checked():
    reservation = make_reservation("100.00")
    with pytest.raises(ValidationError) as excinfo:
        ledger.commitment_create(
            actor=None,
            reservation=reservation,
            beneficiary=OrganisationFactory(),
            amount="10.00",
            act=ACT,
            cup="J12345",
        )
    assert "cup" in excinfo.value.message_dict
    ledger.commitment_create(
        actor=None,
        reservation=reservation,
        beneficiary=OrganisationFactory(),
        amount="10.00",
        act=ACT,
        cup="J11B20000120002",
    )


def test_cents_add_up_exactly_to_the_limits():
    """0.10 + 0.20 is 0.30 to the cent: never 0.30000000000000004 (SQLite keeps decimals as doubles)."""
    official = make_user(Role.REGIONAL_OFFICIAL)
    reservation = make_reservation("0.30")
    first = ledger.commitment_create(
        actor=official, reservation=reservation, beneficiary=OrganisationFactory(), amount="0.10", act=ACT
    )
    second = ledger.commitment_create(
        actor=official, reservation=reservation, beneficiary=OrganisationFactory(), amount="0.20", act=ACT
    )
    reservation.refresh_from_db()
    assert reservation.available == Decimal("0.00")
    commitment = make_commitment("0.30")
    for amount in ("0.10", "0.20"):
        ledger.liquidation_create(actor=official, commitment=commitment, amount=amount, date=TODAY, act=ACT)
    commitment.refresh_from_db()
    assert commitment.to_liquidate == Decimal("0.00")
    ledger.economy_create(actor=official, commitment=first, amount="0.10", date=TODAY, act=ACT)
    ledger.economy_create(actor=official, commitment=second, amount="0.20", date=TODAY, act=ACT)
    ledger.commitment_create(
        actor=official, reservation=reservation, beneficiary=OrganisationFactory(), amount="0.30", act=ACT
    )
    reservation.refresh_from_db()
    assert (reservation.committed_total, reservation.economies_total) == (Decimal("0.60"), Decimal("0.30"))
    assert reservation.available == Decimal("0.00")
