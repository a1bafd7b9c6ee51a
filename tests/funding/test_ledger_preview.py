"""The services' previews: validated like the real operation, from the current rows, and nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding.choices import CommitmentStatus
from funding.models import Commitment, Economy, Liquidation, Reservation
from funding.services import ledger
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ACT, ActionFactory, ChapterFactory, make_commitment, make_reservation

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2021, 6, 30)


def snapshot():
    return (
        Reservation.objects.count(),
        Commitment.objects.count(),
        Liquidation.objects.count(),
        Economy.objects.count(),
        AuditEvent.objects.count(),
    )


def figures(preview):
    return [(str(f.label), f.before, f.after) for f in preview.figures]


def test_previews_show_before_and_after_and_write_nothing():
    chapter = ChapterFactory(appropriation=Decimal("1000.00"))
    reservation = make_reservation("600.00", chapter=chapter)
    commitment = make_commitment("400.00", reservation=reservation)
    ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("100.00"), date=TODAY, act=ACT
    )
    before = snapshot()

    preview = ledger.reservation_preview(
        actor=None, action=reservation.action, chapter=chapter, amount="150.00", act=ACT
    )
    assert figures(preview) == [(str(ledger.LABEL_CHAPTER_AVAILABLE), Decimal("400.00"), Decimal("250.00"))]
    preview = ledger.commitment_preview(
        actor=None, reservation=reservation, beneficiary=OrganisationFactory(), amount="200.00", act=ACT
    )
    assert figures(preview) == [(str(ledger.LABEL_RESERVATION_AVAILABLE), Decimal("200.00"), Decimal("0.00"))]
    preview = ledger.liquidation_preview(
        actor=None, commitment=commitment, amount="300.00", date=TODAY, act=ACT
    )
    assert figures(preview) == [
        (str(ledger.LABEL_COMMITMENT_TO_LIQUIDATE), Decimal("300.00"), Decimal("0.00"))
    ]
    preview = ledger.economy_preview(actor=None, commitment=commitment, amount="50.00", date=TODAY, act=ACT)
    assert figures(preview) == [
        (str(ledger.LABEL_COMMITMENT_TO_LIQUIDATE), Decimal("300.00"), Decimal("250.00")),
        (str(ledger.LABEL_RESERVATION_AVAILABLE), Decimal("200.00"), Decimal("250.00")),
    ]
    preview = ledger.commitment_cancel_preview(actor=None, commitment=commitment, date=TODAY, act=ACT)
    assert preview.amount == Decimal("300.00")
    assert preview.status_after == CommitmentStatus.CANCELLED
    preview = ledger.commitment_confirm_preview(actor=None, commitment=commitment)
    assert (preview.status_before, preview.status_after) == (
        CommitmentStatus.PROVISIONAL,
        CommitmentStatus.DEFINITIVE,
    )
    assert snapshot() == before


def test_previews_refuse_what_the_operation_would_refuse():
    commitment = make_commitment("400.00")
    reservation = commitment.reservation
    with pytest.raises(ValidationError) as excinfo:
        ledger.commitment_preview(
            actor=None, reservation=reservation, beneficiary=OrganisationFactory(), amount="0.01", act=ACT
        )
    assert "amount" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        ledger.liquidation_preview(actor=None, commitment=commitment, amount="400.01", date=TODAY, act=ACT)
    assert "amount" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        ledger.reservation_preview(
            actor=None,
            action=ActionFactory(start_year=2021, end_year=2021),
            chapter=reservation.chapter,
            amount="1.00",
            act=ACT,
        )
    assert "chapter" in excinfo.value.message_dict
    with pytest.raises(PermissionDenied):
        ledger.economy_preview(
            actor=make_user(Role.AUDITOR), commitment=commitment, amount="1.00", date=TODAY, act=ACT
        )


def test_nothing_left_to_cancel():
    commitment = make_commitment("400.00")
    ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("400.00"), date=TODAY, act=ACT
    )
    for cancel in (ledger.commitment_cancel_preview, ledger.commitment_cancel):
        with pytest.raises(ValidationError) as excinfo:
            cancel(actor=None, commitment=commitment, date=TODAY, act=ACT)
        assert excinfo.value.messages == [str(ledger.ERROR_NOTHING_TO_CANCEL)]
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.PROVISIONAL
