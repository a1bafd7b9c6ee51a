"""Writes for applications (domande): create a draft, fill it in, submit it with a protocol number,
review it, withdraw it (rinuncia) or revoke it (revoca).

Every status change goes through funding.services.workflow.application_transition, which locks,
checks the transition table, audits and e-mails the applicant on decisions. Each service checks the
actor's permission first: applicant actions need the applicant role in THAT organisation; official
actions need REVIEW_APPLICATIONS. A denied or refused call changes nothing.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.choices import ApplicationForm, ApplicationStatus, CallStatus, DocumentStage
from funding.models import Application, Call, Document, RequiredDocument
from funding.services.calls import (
    call_is_score_ranked,
    format_local,
    local_time,
    organisation_is_eligible,
)
from funding.services.money import ERROR_AMOUNT_INVALID, clean_amount
from funding.services.workflow import application_transition
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.models import Organisation, User
from portal.permissions import APPLY, REVIEW_APPLICATIONS, require, require_for

# The data each kind of call asks of an application (besides the documents).
FORM_FIELDS: dict[str, tuple[str, ...]] = {
    ApplicationForm.GENERIC: (),
    ApplicationForm.DECLARED_WEIGHT: ("declared_weight",),
    ApplicationForm.TAXI_RECORDER: (
        "licence_number",
        "vehicle_plate",
        "recorder_make",
        "recorder_model",
        "conformity_standard",
        "quote_net",
        "quote_vat",
    ),
}
ALL_FORM_FIELDS = frozenset(f for fields in FORM_FIELDS.values() for f in fields)
PROTOCOL_DIGITS = 4
# The norms an in-cab recorder must comply with (DCR 89-19389: "conformi alle normative CEI, UNI, EN").
CONFORMITY_PATTERN = re.compile(r"\b(CEI|UNI|EN)\b", re.IGNORECASE)
SCORE_MAX = Decimal("99999.99")

ERROR_NOT_DRAFT = _("Only a draft application can be changed; this one is “%(status)s”.")
ERROR_NO_APPLICATIONS = _("This call takes no applications: its beneficiaries are set by the Region.")
ERROR_CALL_NOT_PUBLISHED = _("The call is not accepting applications (it is “%(status)s”).")
ERROR_CALL_NOT_OPEN_YET = _("The call opens on %(opens)s (Italian time).")
ERROR_DEADLINE_PASSED = _(
    "The deadline was %(deadline)s (Italian time): the application can no longer be sent."
)
ERROR_NOT_ELIGIBLE = _("%(organisation)s may not apply to this call.")
ERROR_ALREADY_APPLIED = _("%(organisation)s already has an application for this call.")
ERROR_FIELD_NOT_FOR_CALL = _("This call does not ask for “%(field)s”.")
ERROR_FIELD_REQUIRED = _("This call requires “%(field)s”.")
ERROR_DOCUMENT_MISSING = _("The document “%(document)s” is mandatory.")
ERROR_LICENCE_MISMATCH = _("The licence number must be the one of %(organisation)s (%(licence)s).")
ERROR_CONFORMITY = _("State the norm the recorder complies with: it must mention CEI, UNI or EN.")
ERROR_WEIGHT = _("Enter a whole number greater than zero.")
ERROR_AMOUNT_NEGATIVE = _("The amount cannot be negative.")
ERROR_REASON_REQUIRED = _("Give the reason of the decision: the applicant will read it.")
ERROR_SCORE_NOT_RANKED = _("This call does not rank applications by score.")
ERROR_SCORE_INADMISSIBLE = _("An inadmissible application gets no score.")
ERROR_SCORE_RANGE = _("The score is a number between 0 and 99999.99.")


# --- Permission ------------------------------------------------------------------------------------
def require_applicant_of(actor: User | None, organisation_id: int) -> None:
    """The actor must hold the applicant role in this very organisation."""
    if actor is None:
        raise PermissionDenied
    require_for(actor, APPLY, organisation_id)


# --- Rules about an application's completeness (used by submit and by the "what is missing" page) ---
def field_label(name: str) -> str:
    return str(Application._meta.get_field(name).verbose_name)


def required_fields(call: Call) -> tuple[str, ...]:
    return FORM_FIELDS.get(call.application_form, ())


def missing_fields(application: Application) -> list[str]:
    return [name for name in required_fields(application.call) if getattr(application, name) in (None, "")]


def missing_documents(application: Application) -> list[RequiredDocument]:
    """Mandatory documents of the application stage with no current upload."""
    present = Document.objects.filter(
        application=application, is_current=True, required_document__isnull=False
    ).values_list("required_document_id", flat=True)
    return list(
        RequiredDocument.objects.filter(
            call_id=application.call_id, stage=DocumentStage.APPLICATION, mandatory=True
        )
        .exclude(pk__in=present)
        .order_by("pk")
    )


# --- Field rules -------------------------------------------------------------------------------------
def _normalise_licence(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def _clean_money(value: Any, field: str, *, positive: bool) -> Decimal | None:
    if value in (None, ""):
        return None
    if positive:
        return clean_amount(value, field=field)
    if isinstance(value, float | bool):
        raise ValidationError({field: ERROR_AMOUNT_INVALID})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: ERROR_AMOUNT_INVALID}) from exc
    if not amount.is_finite():
        raise ValidationError({field: ERROR_AMOUNT_INVALID})
    if amount < 0:
        raise ValidationError({field: ERROR_AMOUNT_NEGATIVE})
    if amount == 0:
        return Decimal("0.00")
    return clean_amount(amount, field=field)


def _clean_value(name: str, value: Any, *, applicant: Organisation) -> Any:
    """One field's value, normalised, or ValidationError({name: ...}). Empty values stay empty."""
    if name == "declared_weight":
        if value in (None, ""):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError({name: ERROR_WEIGHT}) from exc
        if isinstance(value, float | bool) or number <= 0 or str(number) != str(value).strip():
            raise ValidationError({name: ERROR_WEIGHT})
        return number
    if name == "quote_net":
        return _clean_money(value, name, positive=True)
    if name == "quote_vat":
        return _clean_money(value, name, positive=False)
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if name == "licence_number":
        text = _normalise_licence(text)
        if text != _normalise_licence(applicant.licence_number):
            raise ValidationError(
                {
                    name: ValidationError(
                        ERROR_LICENCE_MISMATCH,
                        params={"organisation": applicant.name, "licence": applicant.licence_number or "-"},
                    )
                }
            )
    elif name == "vehicle_plate":
        text = re.sub(r"[\s-]+", "", text).upper()
    elif name == "conformity_standard" and not CONFORMITY_PATTERN.search(text):
        raise ValidationError({name: ERROR_CONFORMITY})
    return text


def _clean_fields(application: Application, data: dict[str, Any]) -> dict[str, Any]:
    """All field errors at once, on their fields."""
    allowed = set(required_fields(application.call))
    errors: dict[str, list] = {}
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name not in allowed:
            label = field_label(name) if name in ALL_FORM_FIELDS else name
            errors.setdefault(name, []).append(
                ValidationError(ERROR_FIELD_NOT_FOR_CALL, params={"field": label})
            )
            continue
        try:
            cleaned[name] = _clean_value(name, value, applicant=application.applicant)
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    # The model's own field validators (plate format, lengths, digits).
    probe = Application(call=application.call, applicant=application.applicant, **cleaned)
    exclude = [f.name for f in Application._meta.fields if f.name not in cleaned]
    probe.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    return cleaned


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
) -> Application:
    """A draft application of `applicant` to `call`, by one of its applicant users.

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
    if (
        Application.objects.filter(call=call, applicant=applicant)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .exists()
    ):
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
