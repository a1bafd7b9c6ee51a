"""A grant that ends early: withdrawn by the beneficiary (rinuncia) or revoked by the Region (revoca).

Its commitment is cancelled (an economy of what was not liquidated), so the money is back on the
reservation and the scorrimento can give it to the next in the ranking.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from funding.allocation.percentage_capped_ranked import clean_cap, clean_percentage
from funding.choices import ApplicationStatus
from funding.models import Application, Call, Commitment, Economy, Reservation
from funding.services.allocation.adopt import check_act
from funding.services.ledger import commitment_cancel, commitment_is_live
from funding.services.workflow import application_transition
from portal.audit import AuditEntry, audit_record_many
from portal.models import User
from portal.permissions import LEDGER_WRITE, REVIEW_APPLICATIONS, can, require

ERROR_NO_LIVE_COMMITMENT = _("This application has no commitment left to cancel.")
ERROR_REVOKE_REASON = _("Give the reason of the revocation: the applicant will read it.")
ERROR_TERMS = _("The call's percentage and cap are not valid: %(detail)s")

ENDED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.REVOKED)


def call_percentage_terms(call: Call) -> tuple[Decimal, Decimal | None]:
    """The percentage of the eligible expense and the cap per application of a percentage call."""
    params = call.allocation_params or {}
    try:
        return clean_percentage(params.get("percentage")), clean_cap(params.get("cap"))
    except ValueError as exc:
        raise ValidationError(
            {"allocation_params": ValidationError(ERROR_TERMS, params={"detail": str(exc)})}
        ) from exc


def may_cancel_grants(*, user: User) -> bool:
    """What grant_cancel requires of the actor: the ledger and the review of applications."""
    return can(user, LEDGER_WRITE) and can(user, REVIEW_APPLICATIONS)


def grant_to_cancel(application: Application) -> bool:
    """What the call's page lists to cancel: a withdrawn or revoked grant whose commitment is live."""
    commitment = application.commitment
    return application.status in ENDED and commitment is not None and commitment_is_live(commitment)


def grant_cancel(
    *,
    actor: User | None,
    application: Application,
    act_number: str,
    act_date: datetime.date,
    reason: str = "",
) -> Economy:
    """Cancel the commitment of a withdrawn or revoked grant; an application still running is
    revoked first (the reason is then required and e-mailed to the applicant)."""
    if actor is not None:
        require(actor, LEDGER_WRITE)
        require(actor, REVIEW_APPLICATIONS)
    act = check_act(act_number, act_date)
    reason = (reason or "").strip()
    current = Application.objects.select_related("commitment").get(pk=application.pk)
    commitment = current.commitment
    if commitment is None:
        raise ValidationError({"application": ValidationError(ERROR_NO_LIVE_COMMITMENT, code="none")})
    with transaction.atomic():
        Reservation.objects.select_for_update().get(pk=commitment.reservation_id)
        locked_commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if not commitment_is_live(locked_commitment):
            raise ValidationError({"application": ValidationError(ERROR_NO_LIVE_COMMITMENT, code="none")})
        locked = Application.objects.select_for_update().get(pk=current.pk)
        if locked.status not in ENDED:
            if not reason:
                raise ValidationError({"reason": ValidationError(ERROR_REVOKE_REASON, code="required")})
            locked = application_transition(
                actor=actor, application=locked, to_status=ApplicationStatus.REVOKED, reason=reason
            )
        economy = commitment_cancel(
            actor=actor,
            commitment=locked_commitment,
            date=act.date,
            act=act,
            description=str(ApplicationStatus(locked.status).label)[:300],
        )
        audit_record_many(
            [
                AuditEntry(
                    action="allocation.grant_cancelled",
                    actor=actor,
                    organisation=locked.applicant,
                    target=locked,
                    after={
                        "status": locked.status,
                        "commitment": locked_commitment.pk,
                        "economy": economy.pk,
                        "amount": economy.amount,
                        "act_number": act.number,
                        "act_date": act.date,
                        "reason": reason,
                    },
                )
            ]
        )
    application.status = locked.status
    return economy
