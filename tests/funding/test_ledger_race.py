"""Concurrency: many officials committing or liquidating at once never break an invariant.

Each request runs in its own thread with its own database connection. On PostgreSQL the row lock
(SELECT ... FOR UPDATE) serialises them; on SQLite the IMMEDIATE transactions do. Every request ends
either in success or in a clear refusal that states what is available; none sees a database error.
"""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from funding.models import Commitment, Economy, Liquidation, Reservation
from funding.services import ledger
from portal.audit import audit_verify_chain
from tests.factories import OrganisationFactory
from tests.funding.factories import ACT, make_commitment, make_reservation

REQUESTS = 24


def race(worker, n: int = REQUESTS) -> list:
    """Start n threads at the same instant; return what each one got (a result or an exception)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = worker(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def outcome(results, model):
    successes = [r for r in results if isinstance(r, model)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    others = [r for r in results if not isinstance(r, model | ValidationError)]
    return successes, refusals, others


@pytest.mark.django_db(transaction=True)
def test_concurrent_commitments_never_exceed_the_reservation(comuni, capsys):
    reservation = make_reservation("1000.00")
    beneficiaries = [OrganisationFactory() for _ in range(REQUESTS)]

    def commit(i):
        return ledger.commitment_create(
            actor=None,
            reservation=reservation,
            beneficiary=beneficiaries[i],
            amount=Decimal("100.00"),
            act=ACT,
        )

    successes, refusals, others = outcome(race(commit), Commitment)
    assert others == []  # no "database is locked", no deadlock, no IntegrityError reaches the user
    assert len(successes) == 10
    assert len(refusals) == REQUESTS - 10
    assert all(r.error_dict["amount"][0].code == "insufficient_funds" for r in refusals)
    assert all("0,00" in r.messages[0] for r in refusals)  # "€ 0,00 still available"
    total = Commitment.objects.filter(reservation=reservation).aggregate(t=Sum("amount"))["t"]
    assert total == Decimal("1000.00")
    reservation.refresh_from_db()
    assert reservation.committed_total == total
    assert audit_verify_chain().ok
    with capsys.disabled():
        print(
            f"\n[race] commitments: {REQUESTS} requests, {len(successes)} successes, "
            f"{len(refusals)} refusals, committed {total} of {reservation.amount}"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_liquidations_never_exceed_the_commitment(comuni, capsys):
    commitment = make_commitment("1000.00")

    def liquidate(i):
        return ledger.liquidation_create(
            actor=None, commitment=commitment, amount=Decimal("75.00"), date=ACT.date, act=ACT
        )

    successes, refusals, others = outcome(race(liquidate), Liquidation)
    assert others == []
    assert len(successes) == 13  # 13 x 75.00 = 975.00; a 14th would need 1,050.00
    total = Liquidation.objects.filter(commitment=commitment).aggregate(t=Sum("amount"))["t"]
    assert total == Decimal("975.00")
    assert all("25,00" in " ".join(r.messages) for r in refusals)  # states what is left
    commitment.refresh_from_db()
    assert commitment.liquidated_total == total
    with capsys.disabled():
        print(
            f"\n[race] liquidations: {REQUESTS} requests, {len(successes)} successes, "
            f"{len(refusals)} refusals, liquidated {total} of {commitment.amount}"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_economies_and_commitments_keep_the_reservation_balanced(comuni):
    """Economies give money back while others commit it again: the net never exceeds the reservation."""
    reservation = make_reservation("500.00")
    first = ledger.commitment_create(
        actor=None,
        reservation=reservation,
        beneficiary=OrganisationFactory(),
        amount=Decimal("500.00"),
        act=ACT,
    )
    beneficiaries = [OrganisationFactory() for _ in range(REQUESTS)]

    def work(i):
        if i % 2 == 0:
            return ledger.economy_create(
                actor=None, commitment=first, amount=Decimal("20.00"), date=ACT.date, act=ACT
            )
        return ledger.commitment_create(
            actor=None,
            reservation=reservation,
            beneficiary=beneficiaries[i],
            amount=Decimal("20.00"),
            act=ACT,
        )

    results = race(work)
    assert [r for r in results if not isinstance(r, Commitment | Economy | ValidationError)] == []
    reservation = Reservation.objects.get(pk=reservation.pk)
    committed = Commitment.objects.filter(reservation=reservation).aggregate(t=Sum("amount"))["t"]
    economies = Economy.objects.filter(commitment__reservation=reservation).aggregate(t=Sum("amount"))["t"]
    assert committed - economies <= reservation.amount
    assert reservation.committed_total == committed
    assert reservation.economies_total == economies
