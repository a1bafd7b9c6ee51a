"""Grants of a call for the inventory's tests: a call, granted applications and their commitments."""

from decimal import Decimal

from funding.choices import AllocationMethod, ApplicationStatus
from funding.selectors.transparency import awaits_publication
from funding.services.ledger import commitment_create
from funding.services.transparency import grants_publish
from portal.choices import Role
from tests.factories import make_user
from tests.funding.factories import ACT, make_admitted, make_allocation_call, make_reservation


def make_device_call(total: str = "100000.00", *, title: str = "Body-cam di prova"):
    return make_allocation_call(
        method=AllocationMethod.DECLARED_WEIGHT,
        amount=total,
        reservation=make_reservation(total),
        title=title,
    )


def make_grant(call, beneficiary, amount: str = "10000.00"):
    """A granted application of `beneficiary` on `call`, with its commitment (returned)."""
    application = make_admitted(call, beneficiary)
    commitment = commitment_create(
        actor=None, reservation=call.reservation, beneficiary=beneficiary, amount=Decimal(amount), act=ACT
    )
    application.status = ApplicationStatus.GRANTED
    application.commitment = commitment
    application.granted_amount = commitment.amount
    application.save(update_fields=["status", "commitment", "granted_amount"])
    if awaits_publication(commitment):  # over € 1,000 a grant is paid only once published
        grants_publish(actor=make_user(Role.REGIONAL_OFFICIAL), commitments=[commitment])
    return commitment
