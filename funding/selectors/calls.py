"""Reads of the calls, applications and their documents, scoped to the user."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.choices import ApplicationStatus, CallStatus
from funding.filtersets import ApplicationFilterSet, CallFilterSet
from funding.models import (
    Application,
    Call,
    Document,
    RequiredDocument,
)
from funding.selectors.common import funding_scoped
from funding.services.applications import ALL_FORM_FIELDS, field_label, missing_documents, missing_fields
from funding.services.calls import PUBLIC_STATUSES, call_is_open, local_time
from portal.choices import Role
from portal.models import AuditEvent, Membership, Organisation
from portal.permissions import (
    MANAGE_PROGRAMME,
    READ_ALL,
    REVIEW_APPLICATIONS,
    can,
    funding_visible_organisation_ids,
    organisations_with_role,
)


# --- Calls, applications and documents ------------------------------------------------------------
def _public_calls() -> QuerySet[Call]:
    return Call.objects.filter(status__in=PUBLIC_STATUSES)


def _call_queryset(qs: QuerySet[Call]) -> QuerySet[Call]:
    return qs.select_related("action", "reservation", "reservation__chapter").prefetch_related(
        Prefetch("required_documents", queryset=RequiredDocument.objects.order_by("stage", "pk")),
        "eligible_organisations",
    )


def call_public_list(*, filters: dict | None = None) -> QuerySet[Call]:
    """Published calls and those already closed, ranked, awarded or closed out: anyone may read them."""
    qs = _call_queryset(_public_calls()).order_by("-opens_at", "title")
    return CallFilterSet(filters or {}, queryset=qs).qs if filters else qs


def call_list(*, user, filters: dict | None = None) -> QuerySet[Call]:
    """Officials and auditors see drafts too; everyone else the public calls."""
    base = Call.objects.all() if can(user, READ_ALL) or can(user, MANAGE_PROGRAMME) else _public_calls()
    qs = _call_queryset(base).order_by("-created_at", "-pk")
    return CallFilterSet(filters or {}, queryset=qs).qs if filters else qs


@dataclass(frozen=True)
class OpenCall:
    call: Call
    is_open: bool  # False: published but not yet open
    organisations: list[Organisation]  # the user's organisations that may apply and have not yet
    applications: list[Application]  # the user's organisations' active applications to it


def calls_open_for(*, user, now: datetime.datetime | None = None) -> list[OpenCall]:
    """Published calls, deadline not passed, for which one of the user's applicant organisations is
    eligible; each with the organisations that may still apply and the applications already made."""
    now = now or timezone.now()
    organisations = organisations_with_role(user, Role.APPLICANT)
    if not organisations:
        return []
    org_ids = {o.pk for o in organisations}
    # The calls themselves (their pages and the home show their title, code and dates), not their
    # action, reservation and document list; of the organisations named eligible only the user's.
    calls = list(
        Call.objects.filter(
            status=CallStatus.PUBLISHED, requires_application=True, closes_at__gte=now
        ).order_by("closes_at", "title")
    )
    if not calls:  # the applicant's home asks at every visit: one query when no call is open
        return []
    named: dict[int, set[int]] = {}
    for call_id, organisation_id in Call.eligible_organisations.through.objects.filter(
        call__in=calls, organisation_id__in=org_ids
    ).values_list("call_id", "organisation_id"):
        named.setdefault(call_id, set()).add(organisation_id)
    eligible = {
        call.pk: [
            o
            for o in organisations
            if o.kind in (call.eligible_kinds or []) or o.pk in named.get(call.pk, ())
        ]
        for call in calls
    }
    calls = [call for call in calls if eligible[call.pk]]
    if not calls:  # open calls, none for these organisations (a taxi call for a comune): two queries
        return []
    by_pk = {o.pk: o for o in organisations}
    active: dict[int, list[Application]] = {}
    for application in Application.objects.filter(call__in=calls, applicant_id__in=org_ids).exclude(
        status=ApplicationStatus.WITHDRAWN
    ):
        application.applicant = by_pk[application.applicant_id]  # already read with the user's roles
        active.setdefault(application.call_id, []).append(application)
    result = []
    for call in calls:
        applied = {a.applicant_id for a in active.get(call.pk, [])}
        result.append(
            OpenCall(
                call=call,
                is_open=call_is_open(call, now=now),
                organisations=[o for o in eligible[call.pk] if o.pk not in applied],
                applications=active.get(call.pk, []),
            )
        )
    return result


def application_list(*, user, filters: dict | None = None) -> QuerySet[Application]:
    """Applicants see their organisations' applications; officials and auditors all of them."""
    qs = Application.objects.select_related("call", "applicant", "applicant__comune")
    qs = funding_scoped(qs, user=user, beneficiary="applicant_id").order_by("-created_at", "-pk")
    return ApplicationFilterSet(filters, queryset=qs).qs if filters else qs


# What the application tables show (funding/applications/_table.html): not the call's text, the
# applicant's address and comune, the application's own declarations and notes.
APPLICATION_TABLE_COLUMNS = (
    "pk",
    "protocol_number",
    "status",
    "submitted_at",
    "call__title",
    "applicant__name",
    "applicant__kind",
)


def application_table(qs: QuerySet[Application]) -> QuerySet[dict]:
    """`qs` (a page of application_list or application_review_queue) as the table's columns, one dict
    a row: the lists show 50 rows a page, and building 50 applications with their call and applicant
    cost more than their query (issue 14)."""
    return qs.select_related(None).values(*APPLICATION_TABLE_COLUMNS)


def application_review_queue(*, user, filters: dict | None = None) -> QuerySet[Application]:
    """Submitted applications waiting for a decision, oldest first (by default; `filters` may ask for
    other statuses). Only for those who review."""
    if not (can(user, REVIEW_APPLICATIONS) or can(user, READ_ALL)):
        return Application.objects.none()
    qs = Application.objects.select_related("call", "applicant").order_by("submitted_at", "pk")
    filters = filters or {}
    if not filters.get("status"):
        qs = qs.filter(status=ApplicationStatus.SUBMITTED)
    return ApplicationFilterSet(filters, queryset=qs).qs


@dataclass(frozen=True)
class Missing:
    """What an application still needs before it can be submitted, and how long is left."""

    fields: list[tuple[str, str]]  # (field name, label)
    documents: list[RequiredDocument]
    closes_at: datetime.datetime | None
    days_left: int | None  # calendar days in Europe/Rome; 0 = the deadline is today
    is_open: bool
    deadline_passed: bool

    @property
    def complete(self) -> bool:
        return not self.fields and not self.documents


def application_missing(*, application: Application, now: datetime.datetime | None = None) -> Missing:
    now = now or timezone.now()
    call = application.call
    closes_at = call.closes_at
    days_left = None
    if closes_at is not None:
        days_left = (local_time(closes_at).date() - local_time(now).date()).days
    is_draft = application.status == ApplicationStatus.DRAFT
    return Missing(
        fields=[(name, field_label(name)) for name in missing_fields(application)] if is_draft else [],
        documents=missing_documents(application) if is_draft else [],
        closes_at=closes_at,
        days_left=days_left,
        is_open=call_is_open(call, now=now),
        deadline_passed=closes_at is not None and now > closes_at,
    )


def application_get(*, user, pk: int) -> Application | None:
    return application_list(user=user).filter(pk=pk).first()


TIMELINE_ACTIONS = {
    "application.created": _("Draft created"),
    "application.updated": _("Data changed"),
    "document.uploaded": _("Document uploaded"),
}


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    label: str
    actor: str
    reason: str
    detail: str
    seq: int


def application_timeline(*, user, application: Application) -> list[TimelineEntry]:
    """The application's story from its audit events (its own and its documents'), oldest first.

    Applicants see who acted from their organisation; the Region's staff appear as the Region."""
    if application_get(user=user, pk=application.pk) is None:
        return []
    app_type = ContentType.objects.get_for_model(Application)
    doc_type = ContentType.objects.get_for_model(Document)
    doc_ids = [
        str(pk) for pk in Document.objects.filter(application=application).values_list("pk", flat=True)
    ]
    events = (
        AuditEvent.objects.filter(
            Q(target_type=app_type, target_id=str(application.pk))
            | Q(target_type=doc_type, target_id__in=doc_ids)
        )
        .select_related("actor")
        .order_by("seq")
    )
    reader = can(user, READ_ALL)
    own_users = set(
        Membership.objects.filter(organisation_id=application.applicant_id).values_list("user_id", flat=True)
    )
    entries = []
    for event in events:
        after = event.after or {}
        label = TIMELINE_ACTIONS.get(event.action)
        if label is None and event.action.startswith("application."):
            status = event.action.split(".", 1)[1]
            label = ApplicationStatus(status).label if status in ApplicationStatus.values else event.action
        if reader or event.actor_id in own_users or not event.actor_id:
            actor = event.actor_repr or str(_("System"))
        else:
            actor = str(_("Regional office"))
        detail = ""
        if event.action == "document.uploaded":
            detail = after.get("name", "")
        elif event.action == "application.submitted":
            detail = after.get("protocol_number", "")
        elif event.action == "application.updated":
            detail = ", ".join(field_label(k) for k in after if k in ALL_FORM_FIELDS)
        entries.append(
            TimelineEntry(
                when=event.created_at,
                label=str(label or event.action),
                actor=actor,
                reason=after.get("reason", "") or "",
                detail=detail,
                seq=event.seq,
            )
        )
    return entries


def document_list(*, user, application: Application, current_only: bool = False) -> QuerySet[Document]:
    qs = document_visible(user=user).filter(application=application)
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.select_related("required_document", "uploaded_by").order_by(
        "-is_current", "-uploaded_at", "-pk"
    )


def document_visible(*, user) -> QuerySet[Document]:
    """Documents of the applications the user may see (the download view serves only these)."""
    if not user.is_authenticated:
        return Document.objects.none()
    visible = funding_visible_organisation_ids(user)
    qs = Document.objects.select_related("application", "required_document")
    if visible is None:
        return qs
    return qs.filter(
        Q(application__applicant_id__in=visible)
        | Q(expense_line__report__commitment__beneficiary_id__in=visible)
    )
