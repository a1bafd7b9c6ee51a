"""The rules others ask about a call (is it open now, may this organisation apply, does it rank by
score), its fields and messages, and the helpers of the call's writes."""

import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from funding.choices import (
    CALL_STATUS_ORDER,
    CallStatus,
)
from funding.models import Call
from portal.choices import OrganisationKind
from portal.models import Organisation, User
from portal.permissions import MANAGE_PROGRAMME, require

# Statuses anyone may see on the public pages.
PUBLIC_STATUSES: tuple[str, ...] = CALL_STATUS_ORDER[1:]
# Statuses in which a call's reservation is spoken for but not yet committed.
RESERVATION_IN_USE_STATUSES = (CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.RANKED)
# Codes that would collide with the officials' pages under /funding/calls/.
RESERVED_CODES = frozenset({"manage", "new"})

# allocation_params["ranking"]: how the applications of a ranked call are ordered.
RANKING_BY_SCORE = "score"
RANKING_BY_SUBMISSION = "submitted_at"

# What an official fills in on a call, in the order the form asks it: the one list the form, the
# API's write serializer and the service's audit snapshot share.
CALL_INPUT_FIELDS = (
    "code",
    "title",
    "action",
    "reservation",
    "text",
    "legal_references",
    "responsible_office",
    "responsible_official",
    "opens_at",
    "closes_at",
    "requires_application",
    "application_form",
    "eligible_kinds",
    "eligible_organisations",
    "allocation_method",
    "allocation_params",
    "reference_date",
    "eligible_basis",
    "weight_label",
)
# The call's own columns, as audited (the eligible organisations are a relation, audited apart).
CALL_FIELDS = tuple(f for f in CALL_INPUT_FIELDS if f != "eligible_organisations")
# What call_update may change (the code too: no application can exist while the call is a draft).
EDITABLE_FIELDS = frozenset(CALL_INPUT_FIELDS)
REQUIRED_DOCUMENT_FIELDS = ("call", "code", "name", "mandatory", "accepted_types", "stage")

ERROR_NOT_DRAFT = _("Only a draft call can be changed; this one is “%(status)s”.")
ERROR_CODE_RESERVED = _("“%(code)s” is a reserved word: choose another code.")
ERROR_RESERVATION_ACTION = _("The reservation belongs to another action of the programme.")
ERROR_ELIGIBLE_KIND = _("“%(kind)s” is not a kind of organisation.")
ERROR_NO_ELIGIBLE = _("Say who may apply: at least one kind of organisation or one organisation.")
ERROR_CLOSES_BEFORE_OPENS = _("The call must close after it opens.")
ERROR_OPENS_MISSING = _("A call that takes applications needs an opening date and time.")
ERROR_CLOSES_MISSING = _("A call that takes applications needs a closing date and time (the deadline).")
ERROR_CLOSES_IN_PAST = _("The deadline (%(deadline)s) has already passed.")
ERROR_NO_REQUIRED_DOCUMENTS = _(
    "Define at least one document to be submitted with the application before publishing."
)
ERROR_RESERVATION_EMPTY = _("The reservation has no money left for this call (%(available)s available).")
ERROR_RESERVATION_IN_USE = _("The reservation already funds the call “%(call)s”, which is still running.")
ERROR_CALL_STATUS = _("A call that is “%(current)s” cannot become “%(target)s”.")
ERROR_STATUS_ORDER = _(
    "A call that is “%(current)s” cannot become “%(target)s”: the next step is “%(next)s”."
)
ERROR_STATUS_LAST = _("A call that is “%(current)s” has no further step.")
ERROR_ACCEPTED_TYPES = _("Choose at least one of: PDF, JPEG, PNG.")
ERROR_ACCEPTED_TYPE = _("“%(type)s” is not an accepted type (PDF, JPEG, PNG).")
ERROR_ALLOCATION_PARAMS = _("The allocation parameters must be a JSON object.")
ERROR_RANKING = _("The ranking criterion is “score” or “submitted_at”.")
ERROR_UNKNOWN_FIELD = _("“%(field)s” cannot be changed here.")


# --- Rules other modules ask about a call --------------------------------------------------------
def local_time(value: datetime.datetime) -> datetime.datetime:
    """`value` in the portal's time zone (Europe/Rome), whatever the active one."""
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))


def format_local(value: datetime.datetime | None) -> str:
    """“31/10/2020 12:00” in Europe/Rome (the format of the active language)."""
    if value is None:
        return ""
    return formats.date_format(local_time(value), "SHORT_DATETIME_FORMAT")


def call_is_open(call: Call, *, now: datetime.datetime | None = None) -> bool:
    """Published and now within [opens_at, closes_at] (both ends included)."""
    now = now or timezone.now()
    return (
        call.status == CallStatus.PUBLISHED
        and call.requires_application
        and call.opens_at is not None
        and call.closes_at is not None
        and call.opens_at <= now <= call.closes_at
    )


def call_is_score_ranked(call: Call) -> bool:
    """A call whose applications are ranked by the reviewers' score (allocation_params["ranking"])."""
    return (call.allocation_params or {}).get("ranking") == RANKING_BY_SCORE


def organisation_is_eligible(*, call: Call, organisation: Organisation) -> bool:
    if organisation.kind in (call.eligible_kinds or []):
        return True
    return call.eligible_organisations.filter(pk=organisation.pk).exists()


# --- Helpers ---------------------------------------------------------------------------------------
def _require(actor: User | None) -> None:
    """actor=None is the system (seed data, commands)."""
    if actor is not None:
        require(actor, MANAGE_PROGRAMME)


def _clean_kinds(kinds: Iterable[str]) -> list[str]:
    cleaned = []
    for kind in kinds or []:
        if kind not in OrganisationKind.values:
            raise ValidationError(
                {"eligible_kinds": ValidationError(ERROR_ELIGIBLE_KIND, params={"kind": kind})}
            )
        if kind not in cleaned:
            cleaned.append(kind)
    return cleaned


def _clean_params(params: Any) -> dict:
    if params in (None, ""):
        return {}
    if not isinstance(params, dict):
        raise ValidationError({"allocation_params": ERROR_ALLOCATION_PARAMS})
    ranking = params.get("ranking")
    if ranking is not None and ranking not in (RANKING_BY_SCORE, RANKING_BY_SUBMISSION):
        raise ValidationError({"allocation_params": ERROR_RANKING})
    return params


def _check_coherence(call: Call) -> None:
    """Rules across the call's fields, checked on every save."""
    errors: dict[str, list] = {}
    if call.code in RESERVED_CODES:
        errors.setdefault("code", []).append(ValidationError(ERROR_CODE_RESERVED, params={"code": call.code}))
    if call.reservation_id and call.action_id and call.reservation.action_id != call.action_id:
        errors.setdefault("reservation", []).append(ERROR_RESERVATION_ACTION)
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        errors.setdefault("closes_at", []).append(ERROR_CLOSES_BEFORE_OPENS)
    if errors:
        raise ValidationError(errors)


def _full_clean(call: Call) -> None:
    _check_coherence(call)
    # The constraint "closes after opening" is checked above with a message on the field.
    call.full_clean(exclude=["created_by", "eligible_organisations"], validate_constraints=False)
