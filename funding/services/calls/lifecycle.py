"""A call's writes: create and edit the draft, then move it forward one step at a time
(draft → published → closed → ranked → awarded → closed_out), checked and audited."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from funding.choices import (
    CALL_STATUS_ORDER,
    ApplicationForm,
    CallStatus,
    DocumentStage,
    EligibleBasis,
)
from funding.models import Action, Call, Reservation
from funding.services.calls.rules import (
    CALL_FIELDS,
    EDITABLE_FIELDS,
    ERROR_CALL_STATUS,
    ERROR_CLOSES_BEFORE_OPENS,
    ERROR_CLOSES_IN_PAST,
    ERROR_CLOSES_MISSING,
    ERROR_NO_ELIGIBLE,
    ERROR_NO_REQUIRED_DOCUMENTS,
    ERROR_NOT_DRAFT,
    ERROR_OPENS_MISSING,
    ERROR_RESERVATION_EMPTY,
    ERROR_RESERVATION_IN_USE,
    ERROR_STATUS_LAST,
    ERROR_STATUS_ORDER,
    ERROR_UNKNOWN_FIELD,
    RESERVATION_IN_USE_STATUSES,
    _clean_kinds,
    _clean_params,
    _full_clean,
    _require,
    format_local,
)
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.formatting import format_money
from portal.models import Organisation, User


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
