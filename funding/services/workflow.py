"""The application's state machine: every transition is locked, checked, audited and, for decisions,
notified to the applicant by e-mail (a task that runs after the transaction commits).

Services of each stage (submission, review, allocation, expense reports) call
`application_transition` after checking their own rules; nothing else changes `Application.status`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding.choices import ApplicationStatus as S
from funding.models import Application
from portal.audit import AuditEntry, audit_record_many
from portal.choices import Role
from portal.models import Membership, User
from portal.notifications import notify

# from-status → allowed to-statuses
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ADMISSIBLE, S.INADMISSIBLE, S.WITHDRAWN}),
    S.ADMISSIBLE: frozenset({S.RANKED, S.GRANTED, S.NOT_FUNDED, S.WITHDRAWN, S.INADMISSIBLE}),
    S.RANKED: frozenset({S.GRANTED, S.NOT_FUNDED, S.WITHDRAWN}),
    S.NOT_FUNDED: frozenset({S.GRANTED, S.WITHDRAWN}),  # scorrimento della graduatoria
    S.GRANTED: frozenset({S.REPORTING, S.WITHDRAWN, S.REVOKED}),
    S.REPORTING: frozenset({S.VERIFIED, S.REVOKED, S.WITHDRAWN}),
    S.VERIFIED: frozenset({S.LIQUIDATED, S.REPORTING, S.REVOKED}),
    S.LIQUIDATED: frozenset({S.REPORTING}),  # a further (final) report after an advance
    S.INADMISSIBLE: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.REVOKED: frozenset(),
}

# Decisions the applicant is told about by e-mail.
NOTIFIED = frozenset(
    {S.ADMISSIBLE, S.INADMISSIBLE, S.GRANTED, S.NOT_FUNDED, S.VERIFIED, S.LIQUIDATED, S.REVOKED}
)

ERROR_TRANSITION = _("An application that is “%(current)s” cannot become “%(target)s”.")

NOTIFICATION_SUBJECT = _("[Sentinella] Your application %(protocol)s: %(status)s")
NOTIFICATION_BODY = _(
    "Call: %(call)s\nApplicant: %(applicant)s\nApplication: %(protocol)s\n"
    "New status: %(status)s\n%(reason)s\nDetails: %(url)s\n"
)


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def applicant_recipients(application: Application) -> list[str]:
    emails = list(
        Membership.objects.filter(
            organisation_id=application.applicant_id,
            role=Role.APPLICANT,
            is_active=True,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )
    if application.applicant.email:
        emails.append(application.applicant.email)
    return emails


def application_transition(
    *,
    actor: User | None,
    application: Application,
    to_status: str,
    reason: str = "",
    extra: dict | None = None,
    update_fields: dict | None = None,
) -> Application:
    """Move `application` to `to_status` under a row lock; audit it; e-mail the applicant on decisions.

    `update_fields` sets other fields in the same write (e.g. granted_amount, rank, submitted_at).
    Must be called by a service that has already checked its own rules and the actor's permission.
    """
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "applicant")
            .get(pk=application.pk)
        )
        current = locked.status
        if not allowed(current, to_status):
            raise ValidationError(
                ERROR_TRANSITION,
                code="invalid_transition",
                params={"current": S(current).label, "target": S(to_status).label},
            )
        locked.status = to_status
        fields = ["status", "updated_at"]
        for name, value in (update_fields or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        if reason:
            locked.decision_reason = reason
            fields.append("decision_reason")
        locked.save(update_fields=list(dict.fromkeys(fields)))
        (event,) = audit_record_many(
            [
                AuditEntry(
                    action=f"application.{to_status}",
                    actor=actor,
                    organisation=locked.applicant,
                    target=locked,
                    before={"status": current},
                    after={
                        "status": to_status,
                        "reason": reason,
                        **{k: v for k, v in (update_fields or {}).items()},
                        **(extra or {}),
                    },
                )
            ]
        )
        if to_status in NOTIFIED:
            notify_decision(locked, event_seq=event.seq, reason=reason)
    application.status = locked.status
    for name in update_fields or {}:
        setattr(application, name, getattr(locked, name))
    return locked


def notify_decision(application: Application, *, event_seq: int, reason: str) -> None:
    """E-mail the applicant about a decision once the transaction commits (once per audit event)."""
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "protocol": application.protocol_number or application.pk,
            "status": S(application.status).label,
            "call": application.call.title,
            "applicant": application.applicant.name,
            "reason": f"{gettext('Reason')}: {reason}" if reason else "",
            "url": f"{settings.SITE_URL}/funding/applications/{application.pk}/",
        }
        subject = str(NOTIFICATION_SUBJECT) % params
        body = str(NOTIFICATION_BODY) % params
    notify(key=f"audit:{event_seq}", recipients=applicant_recipients(application), subject=subject, body=body)
