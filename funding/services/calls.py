"""Writes for calls (avvisi) and their required documents, plus the rules others ask about a call:
is it open now, may this organisation apply, does it rank by score.

A call moves forward one step at a time: draft → published → closed → ranked → awarded → closed_out.
Opening and closing date-times are instants (stored in UTC); they are shown and entered in
settings.TIME_ZONE (Europe/Rome), and the deadline is always checked against the server's clock.
"""

import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from funding.choices import (
    CALL_STATUS_ORDER,
    ApplicationForm,
    CallStatus,
    DocumentStage,
    DocumentType,
    EligibleBasis,
)
from funding.models import Action, Call, RequiredDocument, Reservation
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.choices import OrganisationKind
from portal.formatting import format_money
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

CALL_FIELDS = (
    "code",
    "action",
    "reservation",
    "title",
    "text",
    "legal_references",
    "responsible_office",
    "responsible_official",
    "opens_at",
    "closes_at",
    "requires_application",
    "application_form",
    "eligible_kinds",
    "allocation_method",
    "allocation_params",
    "reference_date",
    "eligible_basis",
    "weight_label",
)
# What call_update may change (the code too: no application can exist while the call is a draft).
EDITABLE_FIELDS = frozenset(CALL_FIELDS) | {"eligible_organisations"}
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


# --- Calls -----------------------------------------------------------------------------------------
def call_create(
    *,
    actor: User | None,
    code: str,
    action: Action,
    reservation: Reservation,
    title: str,
    allocation_method: str,
    text: str = "",
    legal_references: str = "",
    responsible_office: str = "",
    responsible_official: str = "",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    requires_application: bool = True,
    application_form: str = ApplicationForm.GENERIC,
    eligible_kinds: Iterable[str] = (),
    eligible_organisations: Iterable[Organisation] = (),
    allocation_params: dict | None = None,
    reference_date: datetime.date | None = None,
    eligible_basis: str = EligibleBasis.GROSS,
    weight_label: str = "",
) -> Call:
    """A new call in draft. Nothing is public until call_publish."""
    _require(actor)
    call = Call(
        code=code,
        action=action,
        reservation=reservation,
        title=title,
        text=text,
        legal_references=legal_references,
        responsible_office=responsible_office,
        responsible_official=responsible_official,
        opens_at=opens_at,
        closes_at=closes_at,
        requires_application=requires_application,
        application_form=application_form,
        eligible_kinds=_clean_kinds(eligible_kinds),
        allocation_method=allocation_method,
        allocation_params=_clean_params(allocation_params),
        reference_date=reference_date,
        eligible_basis=eligible_basis,
        weight_label=weight_label,
        status=CallStatus.DRAFT,
        created_by=actor,
    )
    _full_clean(call)
    organisations = list(eligible_organisations or [])
    with transaction.atomic():
        call.save()
        call.eligible_organisations.set(organisations)
        audit_record_many(
            [
                AuditEntry(
                    action="call.created",
                    actor=actor,
                    target=call,
                    after={
                        **snapshot(call, CALL_FIELDS),
                        "eligible_organisations": sorted(o.pk for o in organisations),
                    },
                )
            ]
        )
    return call


def call_update(*, actor: User | None, call: Call, **changes: Any) -> Call:
    """Change a draft call. `changes` are fields of EDITABLE_FIELDS; others are refused."""
    _require(actor)
    for name in changes:
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: ValidationError(ERROR_UNKNOWN_FIELD, params={"field": name})})
    if "eligible_kinds" in changes:
        changes["eligible_kinds"] = _clean_kinds(changes["eligible_kinds"])
    if "allocation_params" in changes:
        changes["allocation_params"] = _clean_params(changes["allocation_params"])
    organisations = changes.pop("eligible_organisations", None)
    with transaction.atomic():
        locked = Call.objects.select_for_update(of=("self",)).select_related("reservation").get(pk=call.pk)
        if locked.status != CallStatus.DRAFT:
            raise ValidationError(
                ERROR_NOT_DRAFT, code="not_draft", params={"status": CallStatus(locked.status).label}
            )
        before = snapshot(locked, CALL_FIELDS)
        before_orgs = sorted(locked.eligible_organisations.values_list("pk", flat=True))
        for name, value in changes.items():
            setattr(locked, name, value)
        _full_clean(locked)
        locked.save()
        after = snapshot(locked, CALL_FIELDS)
        changed_before = {k: v for k, v in before.items() if after[k] != v}
        changed_after = {k: after[k] for k in changed_before}
        if organisations is not None:
            organisations = list(organisations)
            locked.eligible_organisations.set(organisations)
            after_orgs = sorted(o.pk for o in organisations)
            if after_orgs != before_orgs:
                changed_before["eligible_organisations"] = before_orgs
                changed_after["eligible_organisations"] = after_orgs
        if changed_after:
            audit_record_many(
                [
                    AuditEntry(
                        action="call.updated",
                        actor=actor,
                        target=locked,
                        before=changed_before,
                        after=changed_after,
                    )
                ]
            )
    return locked


def _check_publishable(call: Call, *, now: datetime.datetime, money: bool) -> None:
    """Everything a call needs before applicants may see it; all problems at once, per field.

    `money`: also check the reservation (call_publish does; an allocation adopted on a draft call
    has just committed that money, so the allocation's own step skips it)."""
    errors: dict[str, list] = {}
    if call.requires_application:
        if call.opens_at is None:
            errors.setdefault("opens_at", []).append(ERROR_OPENS_MISSING)
        if call.closes_at is None:
            errors.setdefault("closes_at", []).append(ERROR_CLOSES_MISSING)
        elif call.closes_at <= now:
            errors.setdefault("closes_at", []).append(
                ValidationError(ERROR_CLOSES_IN_PAST, params={"deadline": format_local(call.closes_at)})
            )
        if not call.required_documents.filter(stage=DocumentStage.APPLICATION).exists():
            errors.setdefault("required_documents", []).append(ERROR_NO_REQUIRED_DOCUMENTS)
        if not call.eligible_kinds and not call.eligible_organisations.exists():
            errors.setdefault("eligible_kinds", []).append(ERROR_NO_ELIGIBLE)
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        errors.setdefault("closes_at", []).append(ERROR_CLOSES_BEFORE_OPENS)
    if money:
        _check_money(call, errors)
    if errors:
        raise ValidationError(errors)


def _check_money(call: Call, errors: dict[str, list]) -> None:
    reservation = Reservation.objects.select_for_update().get(pk=call.reservation_id)
    if reservation.available <= 0:
        available = format_money(reservation.available)
        errors.setdefault("reservation", []).append(
            ValidationError(ERROR_RESERVATION_EMPTY, params={"available": available})
        )
    other = (
        Call.objects.filter(reservation_id=call.reservation_id, status__in=RESERVATION_IN_USE_STATUSES)
        .exclude(pk=call.pk)
        .first()
    )
    if other is not None:
        errors.setdefault("reservation", []).append(
            ValidationError(ERROR_RESERVATION_IN_USE, params={"call": other.title})
        )


def call_set_status(
    *,
    actor: User | None,
    call: Call,
    to_status: str,
    now: datetime.datetime | None = None,
    extra: dict | None = None,
) -> Call:
    """Move `call` one step along CALL_STATUS_ORDER, under a row lock, audited.

    The allocation calls it with CallStatus.RANKED, AWARDED and CLOSED_OUT; `extra` goes into the
    audit event. Publishing this way checks dates, documents and eligibility but not the reservation
    (use call_publish, which checks it too).
    """
    return _set_status(actor=actor, call=call, to_status=to_status, now=now, extra=extra, money=False)


def call_advance(*, actor: User | None, call: Call, to_status: str, extra: dict | None = None) -> Call:
    """Move the call forward, one audited step at a time, until it is `to_status` (no-op if it is)."""
    target = CALL_STATUS_ORDER.index(to_status)
    if CALL_STATUS_ORDER.index(call.status) > target:
        raise ValidationError(
            ERROR_CALL_STATUS,
            code="invalid_status",
            params={"current": CallStatus(call.status).label, "target": CallStatus(to_status).label},
        )
    while CALL_STATUS_ORDER.index(call.status) < target:
        step = CALL_STATUS_ORDER[CALL_STATUS_ORDER.index(call.status) + 1]
        call = call_set_status(actor=actor, call=call, to_status=step, extra=extra or {})
    return call


def _set_status(
    *,
    actor: User | None,
    call: Call,
    to_status: str,
    now: datetime.datetime | None,
    extra: dict | None,
    money: bool,
) -> Call:
    _require(actor)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Call.objects.select_for_update(of=("self",)).select_related("reservation").get(pk=call.pk)
        current = locked.status
        index = CALL_STATUS_ORDER.index(current)
        if index + 1 >= len(CALL_STATUS_ORDER):
            raise ValidationError(
                ERROR_STATUS_LAST, code="invalid_status", params={"current": CallStatus(current).label}
            )
        expected = CALL_STATUS_ORDER[index + 1]
        if to_status != expected:
            raise ValidationError(
                ERROR_STATUS_ORDER,
                code="invalid_status",
                params={
                    "current": CallStatus(current).label,
                    "target": CallStatus(to_status).label if to_status in CallStatus.values else to_status,
                    "next": CallStatus(expected).label,
                },
            )
        fields = ["status", "updated_at"]
        if to_status == CallStatus.PUBLISHED:
            _check_publishable(locked, now=now, money=money)
            locked.published_at = now
            fields.append("published_at")
        locked.status = to_status
        locked.save(update_fields=fields)
        audit_record_many(
            [
                AuditEntry(
                    action=f"call.{to_status}",
                    actor=actor,
                    target=locked,
                    before={"status": current},
                    after={"status": to_status, **(extra or {})},
                )
            ]
        )
    call.status = locked.status
    call.published_at = locked.published_at
    return locked


def call_publish(*, actor: User | None, call: Call, now: datetime.datetime | None = None) -> Call:
    """Draft → published, once the money, the dates, who may apply and the documents are in order."""
    return _set_status(
        actor=actor, call=call, to_status=CallStatus.PUBLISHED, now=now, extra=None, money=True
    )


def call_close(*, actor: User | None, call: Call, now: datetime.datetime | None = None) -> Call:
    """Published → closed: no more submissions, even before the deadline. Audited with the deadline."""
    now = now or timezone.now()
    early = bool(call.closes_at and now < call.closes_at)
    return call_set_status(
        actor=actor, call=call, to_status=CallStatus.CLOSED, now=now, extra={"before_deadline": early}
    )


# --- Required documents ------------------------------------------------------------------------
def _clean_types(types: Iterable[str]) -> list[str]:
    cleaned = []
    for value in types or []:
        if value not in DocumentType.values:
            raise ValidationError(
                {"accepted_types": ValidationError(ERROR_ACCEPTED_TYPE, params={"type": value})}
            )
        if value not in cleaned:
            cleaned.append(value)
    if not cleaned:
        raise ValidationError({"accepted_types": ERROR_ACCEPTED_TYPES})
    return cleaned


def required_document_add(
    *,
    actor: User | None,
    call: Call,
    code: str,
    name: str,
    mandatory: bool = True,
    accepted_types: Iterable[str] = (DocumentType.PDF,),
    stage: str = DocumentStage.APPLICATION,
) -> RequiredDocument:
    """A document applicants must (or may) upload, with the application or the expense report."""
    _require(actor)
    document = RequiredDocument(
        call=call,
        code=code,
        name=name,
        mandatory=mandatory,
        accepted_types=_clean_types(accepted_types),
        stage=stage,
    )
    document.full_clean(exclude=["call"])
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.status != CallStatus.DRAFT:
            raise ValidationError(
                ERROR_NOT_DRAFT, code="not_draft", params={"status": CallStatus(locked.status).label}
            )
        document.save()
        audit_record_many(
            [
                AuditEntry(
                    action="call.required_document.added",
                    actor=actor,
                    target=locked,
                    after=snapshot(document, REQUIRED_DOCUMENT_FIELDS),
                )
            ]
        )
    return document


def required_document_remove(*, actor: User | None, required_document: RequiredDocument) -> None:
    _require(actor)
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=required_document.call_id)
        if locked.status != CallStatus.DRAFT:
            raise ValidationError(
                ERROR_NOT_DRAFT, code="not_draft", params={"status": CallStatus(locked.status).label}
            )
        before = snapshot(required_document, REQUIRED_DOCUMENT_FIELDS)
        RequiredDocument.objects.filter(pk=required_document.pk).delete()
        audit_record_many(
            [AuditEntry(action="call.required_document.removed", actor=actor, target=locked, before=before)]
        )
