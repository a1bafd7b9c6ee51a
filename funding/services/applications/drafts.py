"""An application from draft to submission: create, fill in, submit with a protocol number."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from funding.choices import ApplicationForm, ApplicationStatus, CallStatus
from funding.models import Application, Call
from funding.services.applications.rules import (
    ERROR_ALREADY_APPLIED,
    ERROR_CALL_NOT_OPEN_YET,
    ERROR_CALL_NOT_PUBLISHED,
    ERROR_DEADLINE_PASSED,
    ERROR_DOCUMENT_MISSING,
    ERROR_FIELD_REQUIRED,
    ERROR_NO_APPLICATIONS,
    ERROR_NOT_DRAFT,
    ERROR_NOT_ELIGIBLE,
    PROTOCOL_DIGITS,
    _clean_fields,
    field_label,
    has_applied,
    missing_documents,
    missing_fields,
    require_applicant_of,
    required_fields,
)
from funding.services.calls import (
    format_local,
    local_time,
    organisation_is_eligible,
)
from funding.services.workflow import application_transition
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.models import Organisation, User


# --- Services --------------------------------------------------------------------------------------
def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "applicant")
        .get(pk=application.pk)
    )


def _check_accepting(call: Call, *, now: datetime.datetime, opening: bool) -> None:
    """The call takes applications now. `opening`: also refuse before opens_at (for submission)."""
    if not call.requires_application:
        raise ValidationError(ERROR_NO_APPLICATIONS, code="no_applications")
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(
            ERROR_CALL_NOT_PUBLISHED, code="not_published", params={"status": CallStatus(call.status).label}
        )
    if call.closes_at is not None and now > call.closes_at:
        raise ValidationError(
            ERROR_DEADLINE_PASSED, code="deadline", params={"deadline": format_local(call.closes_at)}
        )
    if opening and call.opens_at is not None and now < call.opens_at:
        raise ValidationError(
            ERROR_CALL_NOT_OPEN_YET, code="not_open", params={"opens": format_local(call.opens_at)}
        )


def application_create(
    *,
    actor: User,
    call: Call,
    applicant: Organisation,
    now: datetime.datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Application:
    """A draft application of `applicant` to `call`, by one of its applicant users; with `data`, filled
    in within the same transaction (refused data leave no draft behind).

    Drafts may be prepared as soon as the call is published (even before it opens) until the deadline.
    """
    require_applicant_of(actor, applicant.pk)
    now = now or timezone.now()
    call = Call.objects.get(pk=call.pk)
    _check_accepting(call, now=now, opening=False)
    if not organisation_is_eligible(call=call, organisation=applicant):
        raise ValidationError(
            {"applicant": ValidationError(ERROR_NOT_ELIGIBLE, params={"organisation": applicant.name})},
        )
    already = ValidationError(
        {"applicant": ValidationError(ERROR_ALREADY_APPLIED, params={"organisation": applicant.name})}
    )
    if has_applied(call=call, organisation=applicant):
        raise already
    application = Application(
        call=call,
        applicant=applicant,
        status=ApplicationStatus.DRAFT,
        created_by=actor,
        licence_number=applicant.licence_number
        if call.application_form == ApplicationForm.TAXI_RECORDER
        else "",
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                application.save()
                audit_record_many(
                    [
                        AuditEntry(
                            action="application.created",
                            actor=actor,
                            organisation=applicant,
                            target=application,
                            after={"call": call.code, "status": application.status},
                        )
                    ]
                )
        except IntegrityError as exc:  # two drafts at once: the constraint decides
            raise already from exc
        if data:
            application_update(actor=actor, application=application, **data)
    return application


def application_update(*, actor: User, application: Application, **data: Any) -> Application:
    """Change the data of a draft. Only the fields the call's form asks for; each checked on its own
    (complete data is required at submission)."""
    require_applicant_of(actor, application.applicant_id)
    with transaction.atomic():
        locked = _locked(application)
        if locked.status != ApplicationStatus.DRAFT:
            raise ValidationError(
                ERROR_NOT_DRAFT, code="not_draft", params={"status": ApplicationStatus(locked.status).label}
            )
        cleaned = _clean_fields(locked, data)
        before = snapshot(locked, cleaned.keys())
        for name, value in cleaned.items():
            setattr(locked, name, value)
        after = snapshot(locked, cleaned.keys())
        changed = [name for name in cleaned if before[name] != after[name]]
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            audit_record_many(
                [
                    AuditEntry(
                        action="application.updated",
                        actor=actor,
                        organisation=locked.applicant,
                        target=locked,
                        before={k: before[k] for k in changed},
                        after={k: after[k] for k in changed},
                    )
                ]
            )
    for name in cleaned:
        setattr(application, name, getattr(locked, name))
    return locked


def _next_protocol(call: Call, *, year: int) -> str:
    """“<call code>/<year>/<sequence>”, the sequence counted per call and year. The caller holds the
    call's row lock, so two submissions never read the same last number."""
    prefix = f"{call.code}/{year}/"
    numbers = Application.objects.filter(call=call, protocol_number__startswith=prefix).values_list(
        "protocol_number", flat=True
    )
    last = max((int(n.rsplit("/", 1)[1]) for n in numbers if n.rsplit("/", 1)[1].isdigit()), default=0)
    return f"{prefix}{last + 1:0{PROTOCOL_DIGITS}d}"


def _check_complete(application: Application) -> None:
    errors: dict[str, list] = {}
    for name in missing_fields(application):
        errors.setdefault(name, []).append(
            ValidationError(ERROR_FIELD_REQUIRED, params={"field": field_label(name)})
        )
    present = {name: getattr(application, name) for name in required_fields(application.call)}
    present = {k: v for k, v in present.items() if v not in (None, "")}
    try:
        _clean_fields(application, present)  # e.g. the licence of the organisation changed meanwhile
    except ValidationError as exc:
        for field, messages in exc.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    for document in missing_documents(application):
        errors.setdefault("documents", []).append(
            ValidationError(ERROR_DOCUMENT_MISSING, params={"document": document.name})
        )
    if errors:
        raise ValidationError(errors)


def application_submit(
    *, actor: User, application: Application, now: datetime.datetime | None = None
) -> Application:
    """Send a complete draft before the deadline: it gets a protocol number and its submission time.

    The deadline is checked here, on the server's clock, inside the lock on the call (Europe/Rome is
    only how it is shown: the comparison is between instants).
    """
    require_applicant_of(actor, application.applicant_id)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=application.call_id)
        locked = _locked(application)
        now = now or timezone.now()
        if locked.status != ApplicationStatus.DRAFT:
            raise ValidationError(
                ERROR_NOT_DRAFT, code="not_draft", params={"status": ApplicationStatus(locked.status).label}
            )
        _check_accepting(call, now=now, opening=True)
        if not organisation_is_eligible(call=call, organisation=locked.applicant):
            raise ValidationError(
                {
                    "applicant": ValidationError(
                        ERROR_NOT_ELIGIBLE, params={"organisation": locked.applicant.name}
                    )
                }
            )
        _check_complete(locked)
        protocol = _next_protocol(call, year=local_time(now).year)
        result = application_transition(
            actor=actor,
            application=locked,
            to_status=ApplicationStatus.SUBMITTED,
            update_fields={"protocol_number": protocol, "submitted_at": now},
        )
    application.status = result.status
    application.protocol_number = result.protocol_number
    application.submitted_at = result.submitted_at
    return result
