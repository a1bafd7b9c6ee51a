"""Decisions on a submitted application: the review (admissible, score), the withdrawal (rinuncia)
and the revocation (revoca)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from funding.choices import ApplicationStatus
from funding.models import Application, Call
from funding.services.applications.rules import (
    ERROR_REASON_REQUIRED,
    ERROR_SCORE_INADMISSIBLE,
    ERROR_SCORE_NOT_RANKED,
    ERROR_SCORE_RANGE,
    SCORE_MAX,
    require_applicant_of,
)
from funding.services.calls import (
    call_is_score_ranked,
)
from funding.services.workflow import application_transition
from portal.models import User
from portal.permissions import REVIEW_APPLICATIONS, require


def _clean_score(score: Any) -> Decimal | None:
    if score in (None, ""):
        return None
    try:
        value = score if isinstance(score, Decimal) else Decimal(str(score).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"score": ERROR_SCORE_RANGE}) from exc
    if isinstance(score, bool) or not value.is_finite() or not Decimal(0) <= value <= SCORE_MAX:
        raise ValidationError({"score": ERROR_SCORE_RANGE})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({"score": ERROR_SCORE_RANGE})
    return value.quantize(Decimal("0.01"))


def application_review(
    *,
    actor: User,
    application: Application,
    admissible: bool,
    reason: str = "",
    score: Any = None,
    notes: str = "",
) -> Application:
    """The official's check: admissible (optionally with a score, for calls ranked by score) or
    inadmissible with the reason the applicant will read. E-mailed by the workflow."""
    require(actor, REVIEW_APPLICATIONS)
    reason = (reason or "").strip()
    notes = (notes or "").strip()
    score_value = _clean_score(score)
    call = Call.objects.get(pk=application.call_id)
    if not admissible and not reason:
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    if score_value is not None:
        if not admissible:
            raise ValidationError({"score": ERROR_SCORE_INADMISSIBLE})
        if not call_is_score_ranked(call):
            raise ValidationError({"score": ERROR_SCORE_NOT_RANKED})
    update_fields: dict[str, Any] = {"review_notes": notes}
    if admissible:
        update_fields["score"] = score_value
    return application_transition(
        actor=actor,
        application=application,
        to_status=ApplicationStatus.ADMISSIBLE if admissible else ApplicationStatus.INADMISSIBLE,
        reason=reason,
        update_fields=update_fields,
    )


def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    """Rinuncia: the applicant gives up the application (a draft, or later until the grant is paid)."""
    require_applicant_of(actor, application.applicant_id)
    return application_transition(
        actor=actor,
        application=application,
        to_status=ApplicationStatus.WITHDRAWN,
        reason=(reason or "").strip(),
    )


def application_revoke(*, actor: User, application: Application, reason: str) -> Application:
    """Revoca of a grant by the Region, with the reason (e-mailed to the applicant)."""
    require(actor, REVIEW_APPLICATIONS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ERROR_REASON_REQUIRED})
    return application_transition(
        actor=actor, application=application, to_status=ApplicationStatus.REVOKED, reason=reason
    )
