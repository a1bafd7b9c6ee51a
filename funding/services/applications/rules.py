"""The rules of an application others ask about: who may act for the applicant, which data each
kind of call asks, what is still missing, how each field is cleaned."""

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from funding.choices import ApplicationForm, ApplicationStatus, DocumentStage
from funding.models import Application, Call, Document, RequiredDocument
from funding.services.calls import organisation_is_eligible
from portal.choices import Role
from portal.models import Organisation, User
from portal.money import clean_amount
from portal.permissions import APPLY, organisation_ids_with_role, require_for

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


# --- Who applies ---------------------------------------------------------------------------------
ERROR_WHICH_APPLICANT = _("Say which organisation applies.")
ERROR_NO_APPLICANT = _("Your organisation may not apply to this call, or it has already applied.")


def has_applied(*, call: Call, organisation: Organisation) -> bool:
    """The organisation has an application to the call (a withdrawn one does not count)."""
    return (
        Application.objects.filter(call=call, applicant=organisation)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .exists()
    )


def may_apply(*, call: Call, organisation: Organisation) -> bool:
    """What application_create asks of the applying organisation: active, eligible, not applied yet."""
    return (
        organisation.is_active
        and organisation_is_eligible(call=call, organisation=organisation)
        and not has_applied(call=call, organisation=organisation)
    )


def default_applicant(*, user: User, call: Call) -> Organisation:
    """The organisation that applies when the user names none, on the pages and in the API alike: the
    only one of the user's applicant organisations that may apply to the call. ValidationError on
    `applicant` when none may, or when several may (the user then says which)."""
    organisations = Organisation.objects.filter(
        pk__in=organisation_ids_with_role(user, Role.APPLICANT)
    ).order_by("name", "pk")
    candidates = [o for o in organisations if may_apply(call=call, organisation=o)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise ValidationError({"applicant": ValidationError(ERROR_WHICH_APPLICANT, code="which")})
    raise ValidationError({"applicant": ValidationError(ERROR_NO_APPLICANT, code="none")})


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
    """An amount of the application's data: empty stays empty; the rest is portal.money's rule."""
    if value in (None, ""):
        return None
    return clean_amount(value, field=field, allow_zero=not positive)


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
