"""Two officials adopt the same proposal at the same instant: exactly one succeeds, the other gets a
clear refusal, and the ledger holds one set of commitments (PostgreSQL row locks, real threads)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from funding.choices import AllocationMethod, AllocationStatus
from funding.models import Allocation, Commitment, Reservation
from funding.services import allocation as services
from portal.audit import audit_verify_chain
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import make_user
from tests.funding.factories import make_admitted, make_allocation_call
from tests.funding.test_ledger_race import race
from tests.utils import requires_postgres


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officials_adopting_at_once(comuni, capsys):
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount="800000.00")
    for weight in (1650, 118, 74, 52):
        make_admitted(call, declared_weight=weight)
    officials = [make_user(Role.REGIONAL_OFFICIAL) for _ in range(2)]
    allocation = services.allocation_propose(actor=officials[0], call=call)

    def adopt(i):
        return services.allocation_adopt(
            actor=officials[i],
            allocation=Allocation.objects.get(pk=allocation.pk),
            act_number=f"{100 + i}",
            act_date=timezone.localdate(),
        )

    results = race(adopt, n=2)
    successes = [r for r in results if isinstance(r, Allocation)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(successes) == 1, results
    assert len(refusals) == 1, results
    assert refusals[0].code in ("not_current", "round_adopted")
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.ADOPTED
    assert Commitment.objects.filter(reservation=call.reservation).count() == 4
    assert Reservation.objects.get(pk=call.reservation_id).available == Decimal("0.00")
    assert AuditEvent.objects.filter(action="allocation.adopted").count() == 1
    assert audit_verify_chain().ok
    with capsys.disabled():
        print(f"\n[race] two adoptions of one proposal: 1 success, refusal: {refusals[0].messages[0]}")
