"""Reads for the programme, the ledger, calls, applications and documents, scoped to the user;
figures come from aggregate queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.choices import AllocationOutcome, ApplicationStatus, CallStatus, CommitmentStatus
from funding.models import (
    Action,
    Allocation,
    AllocationRow,
    Application,
    Axis,
    BudgetChapter,
    Call,
    Commitment,
    Document,
    Economy,
    ExpenseLine,
    ExpenseReport,
    Liquidation,
    Programme,
    RequiredDocument,
    Reservation,
)
from funding.models.allocation import InputsSummary
from funding.services.applications import ALL_FORM_FIELDS, field_label, missing_documents, missing_fields
from funding.services.calls import PUBLIC_STATUSES, call_is_open, local_time
from portal.choices import Role
from portal.constants import MONEY_MAX_DIGITS
from portal.fields import MoneyField
from portal.models import AuditEvent, Membership, Organisation
from portal.permissions import (
    MANAGE_PROGRAMME,
    READ_ALL,
    REVIEW_APPLICATIONS,
    can,
    organisation_ids_with_role,
    visible_organisation_ids,
)

# The output field of every money expression: a MoneyField, so sums come back exact to the cent.
MONEY = MoneyField(max_digits=MONEY_MAX_DIGITS + 2)


def _sum(queryset: QuerySet, outer: str, field: str = "amount"):
    """A correlated SUM subquery: no join fan-out, one query for any number of rows."""
    total = (
        queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(t=Sum(field)).values("t")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY)


def _is_reader(user) -> bool:
    return can(user, READ_ALL)


def _reservation_figures(qs: QuerySet[Reservation]) -> QuerySet[Reservation]:
    """Committed, economies and liquidated summed from the entries; then what is committed net of
    economies, still uncommitted (available for commitments) and committed but not yet liquidated.
    (Names differ from the model's properties, which read the running totals.)"""
    return qs.annotate(
        committed=_sum(Commitment.objects, "reservation"),
        economies=_sum(Economy.objects, "commitment__reservation"),
        liquidated=_sum(Liquidation.objects, "commitment__reservation"),
    ).annotate(
        net_committed=ExpressionWrapper(F("committed") - F("economies"), output_field=MONEY),
        uncommitted=ExpressionWrapper(F("amount") - F("committed") + F("economies"), output_field=MONEY),
        unliquidated=ExpressionWrapper(F("committed") - F("economies") - F("liquidated"), output_field=MONEY),
    )


def programme_list(*, user) -> QuerySet[Programme]:
    if not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.all()


def programme_tree(*, user, programme: Programme) -> QuerySet[Axis]:
    """Axes → actions → reservations (with chapter), in three prefetch queries plus the axes."""
    reservations = _reservation_figures(Reservation.objects.select_related("chapter"))
    if not _is_reader(user):
        reservations = reservations.none()
    return (
        Axis.objects.filter(programme=programme)
        .order_by("number")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.order_by("number")),
            Prefetch("actions__reservations", queryset=reservations.order_by("chapter__year", "pk")),
        )
    )


def chapter_status(*, user, year: int | None = None) -> QuerySet[BudgetChapter]:
    """Per chapter: appropriation, reserved, committed, economies, liquidated, and what is available."""
    if not _is_reader(user):
        return BudgetChapter.objects.none()
    qs = BudgetChapter.objects.annotate(
        reserved=_sum(Reservation.objects, "chapter"),
        committed=_sum(Commitment.objects, "reservation__chapter"),
        economies=_sum(Economy.objects, "commitment__reservation__chapter"),
        liquidated=_sum(Liquidation.objects, "commitment__reservation__chapter"),
    )
    qs = qs.annotate(
        available=ExpressionWrapper(F("appropriation") - F("reserved"), output_field=MONEY),
        committed_net=ExpressionWrapper(F("committed") - F("economies"), output_field=MONEY),
        reserved_uncommitted=ExpressionWrapper(
            F("reserved") - F("committed") + F("economies"), output_field=MONEY
        ),
        to_liquidate=ExpressionWrapper(F("committed") - F("economies") - F("liquidated"), output_field=MONEY),
    )
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("year", "number", "article")


def chapter_years() -> list[int]:
    return list(BudgetChapter.objects.order_by("year").values_list("year", flat=True).distinct())


def reservation_list(*, user) -> QuerySet[Reservation]:
    if not _is_reader(user):
        return Reservation.objects.none()
    return Reservation.objects.select_related("chapter", "action", "action__axis", "created_by")


def commitment_list(*, user) -> QuerySet[Commitment]:
    """Officials and auditors see all; applicants only their own organisations' commitments."""
    qs = Commitment.objects.select_related(
        "beneficiary",
        "reservation",
        "reservation__chapter",
        "reservation__action",
        "reservation__action__axis",
        "created_by",
    )
    if not user.is_authenticated:
        return qs.none()
    visible = visible_organisation_ids(user)
    return qs if visible is None else qs.filter(beneficiary_id__in=visible)


def liquidation_list(*, user) -> QuerySet[Liquidation]:
    qs = Liquidation.objects.select_related(
        "commitment", "commitment__beneficiary", "commitment__reservation__chapter", "created_by"
    )
    if not user.is_authenticated:
        return qs.none()
    visible = visible_organisation_ids(user)
    return qs if visible is None else qs.filter(commitment__beneficiary_id__in=visible)


def economy_list(*, user) -> QuerySet[Economy]:
    qs = Economy.objects.select_related(
        "commitment", "commitment__beneficiary", "commitment__reservation__chapter", "created_by"
    )
    if not user.is_authenticated:
        return qs.none()
    visible = visible_organisation_ids(user)
    return qs if visible is None else qs.filter(commitment__beneficiary_id__in=visible)


# --- Ledger pages: figures, drill-down and audit trail --------------------------------------------
CHAPTER_FIGURES = (
    "appropriation",
    "reserved",
    "committed",
    "economies",
    "committed_net",
    "liquidated",
    "to_liquidate",
    "available",
)


def chapter_totals(*, user, year: int | None = None) -> dict[str, Decimal]:
    """The totals row of chapter_status, in one aggregate query."""
    from portal.constants import quantize_money

    # Aliases must differ from the annotations they sum, or Django prunes those annotations.
    totals = chapter_status(user=user, year=year).aggregate(**{f"total_{f}": Sum(f) for f in CHAPTER_FIGURES})
    return {f: quantize_money(totals[f"total_{f}"] or Decimal("0.00")) for f in CHAPTER_FIGURES}


def reservation_status(*, user) -> QuerySet[Reservation]:
    """reservation_list with the figures of _reservation_figures."""
    return _reservation_figures(reservation_list(user=user))


def commitment_status(*, user) -> QuerySet[Commitment]:
    """commitment_list with liquidated_sum and economies_sum from the entries (the model's
    `liquidations`/`economies` are the relations), the amount net of economies and what is still to be
    liquidated."""
    return (
        commitment_list(user=user)
        .annotate(
            liquidated_sum=_sum(Liquidation.objects, "commitment"),
            economies_sum=_sum(Economy.objects, "commitment"),
        )
        .annotate(
            net_amount=ExpressionWrapper(F("amount") - F("economies_sum"), output_field=MONEY),
            unliquidated=ExpressionWrapper(
                F("amount") - F("economies_sum") - F("liquidated_sum"), output_field=MONEY
            ),
        )
    )


def programme_structure(*, user) -> QuerySet[Programme]:
    """Programmes with their axes and actions (no money), in three queries for any number of them."""
    return programme_list(user=user).prefetch_related(
        Prefetch("axes", queryset=Axis.objects.order_by("number")),
        Prefetch("axes__actions", queryset=Action.objects.order_by("number")),
    )


def action_list(*, user, year: int | None = None) -> QuerySet[Action]:
    """Actions of every programme (those running in `year` when given), for choosing where to reserve."""
    qs = Action.objects.select_related("axis", "axis__programme").order_by(
        "-axis__programme__start_year", "axis__number", "number"
    )
    if not user.is_authenticated:
        return qs.none()
    if year is not None:
        qs = qs.filter(start_year__lte=year, end_year__gte=year)
    return qs


def commitment_audit_trail(*, user, commitment: Commitment):
    """Audit events of a commitment and of its liquidations and economies, oldest first."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    from portal.selectors import audit_event_list

    def keys(model):
        return (
            model.objects.filter(commitment=commitment)
            .annotate(key=Cast("pk", output_field=CharField()))
            .values("key")
        )

    types = ContentType.objects.get_for_models(Commitment, Liquidation, Economy)
    return (
        audit_event_list(user=user)
        .filter(
            Q(target_type=types[Commitment], target_id=str(commitment.pk))
            | Q(target_type=types[Liquidation], target_id__in=keys(Liquidation))
            | Q(target_type=types[Economy], target_id__in=keys(Economy))
        )
        .order_by("seq")
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
    from funding.filtersets import CallFilterSet

    qs = _call_queryset(_public_calls()).order_by("-opens_at", "title")
    return CallFilterSet(filters or {}, queryset=qs).qs if filters else qs


def call_list(*, user, filters: dict | None = None) -> QuerySet[Call]:
    """Officials and auditors see drafts too; everyone else the public calls."""
    from funding.filtersets import CallFilterSet

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
    org_ids = organisation_ids_with_role(user, Role.APPLICANT)
    if not org_ids:
        return []
    organisations = list(Organisation.objects.filter(pk__in=org_ids, is_active=True).order_by("name"))
    calls = list(
        _call_queryset(
            Call.objects.filter(status=CallStatus.PUBLISHED, requires_application=True, closes_at__gte=now)
        )
        .prefetch_related("eligible_organisations")
        .order_by("closes_at", "title")
    )
    active = {}
    for application in (
        Application.objects.filter(call__in=calls, applicant_id__in=org_ids)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("applicant")
    ):
        active.setdefault(application.call_id, []).append(application)
    result = []
    for call in calls:
        eligible_ids = {o.pk for o in call.eligible_organisations.all()}
        eligible = [o for o in organisations if o.kind in (call.eligible_kinds or []) or o.pk in eligible_ids]
        if not eligible:
            continue
        applied = {a.applicant_id for a in active.get(call.pk, [])}
        result.append(
            OpenCall(
                call=call,
                is_open=call_is_open(call, now=now),
                organisations=[o for o in eligible if o.pk not in applied],
                applications=active.get(call.pk, []),
            )
        )
    return result


def application_list(*, user, filters: dict | None = None) -> QuerySet[Application]:
    """Applicants see their organisations' applications; officials and auditors all of them."""
    from funding.filtersets import ApplicationFilterSet

    qs = Application.objects.select_related("call", "applicant", "applicant__comune")
    if not user.is_authenticated:
        return qs.none()
    visible = visible_organisation_ids(user)
    if visible is not None:
        qs = qs.filter(applicant_id__in=visible)
    qs = qs.order_by("-created_at", "-pk")
    return ApplicationFilterSet(filters, queryset=qs).qs if filters else qs


def application_review_queue(*, user, filters: dict | None = None) -> QuerySet[Application]:
    """Submitted applications waiting for a decision, oldest first (by default; `filters` may ask for
    other statuses). Only for those who review."""
    from funding.filtersets import ApplicationFilterSet

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
    visible = visible_organisation_ids(user)
    qs = Document.objects.select_related("application", "required_document")
    if visible is None:
        return qs
    return qs.filter(
        Q(application__applicant_id__in=visible)
        | Q(expense_line__report__commitment__beneficiary_id__in=visible)
    )


# --- Allocations (riparti, graduatorie) and expense reports (rendicontazione) -----------------------
def allocation_list(*, user) -> QuerySet[Allocation]:
    """Officials, auditors and administrators see every allocation; nobody else does."""
    if not _is_reader(user):
        return Allocation.objects.none()
    # The stored inputs hold every candidate's weight (168 KB for the 1,181 comuni): pages read
    # only their summary, computed in SQL (Allocation.inputs_summary).
    return (
        Allocation.objects.select_related("call", "call__reservation", "computed_by", "adopted_by")
        .defer("inputs")
        # A subquery, not a join with GROUP BY: grouping would evaluate the summary once per row.
        .annotate(
            row_count=Coalesce(
                Subquery(
                    AllocationRow.objects.filter(allocation=OuterRef("pk"))
                    .order_by()
                    .values("allocation")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                Value(0),
            ),
            _inputs_summary=InputsSummary(),
        )
    )


def allocation_documents(*, user) -> QuerySet[Allocation]:
    """The allocations whose act PDFs `user` may download: the readers of allocation_list, without
    the count of the rows and the stored inputs (a download needs neither)."""
    if not _is_reader(user):
        return Allocation.objects.none()
    return Allocation.objects.select_related("call").defer("inputs")


def allocation_rows(*, allocation: Allocation, q: str = "") -> QuerySet[AllocationRow]:
    """The rows in order, searchable by beneficiary name, ISTAT code or protocol number."""
    qs = AllocationRow.objects.filter(allocation=allocation).select_related(
        "beneficiary", "beneficiary__comune", "application", "commitment"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(beneficiary__name__icontains=q)
            | Q(beneficiary__comune__istat_code__startswith=q)
            | Q(application__protocol_number__icontains=q)
        )
    return qs.order_by("position")


def allocation_totals(*, allocation: Allocation) -> dict:
    """Sums and counts over every row of the allocation, in one query (sums re-quantized: SQLite
    adds decimals as floats)."""
    totals = AllocationRow.objects.filter(allocation=allocation).aggregate(
        rows=Count("pk"),
        weight=Sum("weight"),
        exact_quota=Sum("exact_quota"),
        requested=Sum("requested"),
        amount=Sum("amount"),
        funded=Count("pk", filter=Q(outcome=AllocationOutcome.FUNDED)),
        partly_funded=Count("pk", filter=Q(outcome=AllocationOutcome.PARTLY_FUNDED)),
        not_funded=Count("pk", filter=Q(outcome=AllocationOutcome.NOT_FUNDED)),
    )
    places = {"weight": "0.01", "exact_quota": "0.000001", "requested": "0.01", "amount": "0.01"}
    for key, place in places.items():
        if totals[key] is not None:
            totals[key] = Decimal(totals[key]).quantize(Decimal(place))
        elif key != "requested":
            totals[key] = Decimal(0).quantize(Decimal(place))
    return totals


def expense_report_list(*, user) -> QuerySet[ExpenseReport]:
    """Officials and auditors see every report; applicants those on their organisations' grants."""
    qs = ExpenseReport.objects.select_related(
        "commitment", "commitment__beneficiary", "application", "application__call", "liquidation"
    ).annotate(line_count=Count("lines"), lines_total=Sum("lines__total_amount"))
    if not user.is_authenticated:
        return qs.none()
    visible = visible_organisation_ids(user)
    qs = qs if visible is None else qs.filter(commitment__beneficiary_id__in=visible)
    return qs.order_by("-updated_at", "-pk")


def expense_report_detail(*, user) -> QuerySet[ExpenseReport]:
    qs = ExpenseReport.objects.select_related(
        "commitment",
        "commitment__beneficiary",
        "commitment__reservation__chapter",
        "application",
        "application__call",
        "application__applicant",
        "liquidation",
        "verified_by",
    )
    if not user.is_authenticated:
        return qs.none()
    visible = visible_organisation_ids(user)
    return qs if visible is None else qs.filter(commitment__beneficiary_id__in=visible)


def statement_organisations(*, user) -> QuerySet[Organisation]:
    """Organisations whose beneficiary statement the user may read: every beneficiary of a commitment
    for those who read everything, otherwise the organisations they act for."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    visible = visible_organisation_ids(user)
    if visible is None:
        has_grants = Exists(Commitment.objects.filter(beneficiary=OuterRef("pk")))
        return Organisation.objects.filter(has_grants).order_by("name", "pk")
    return Organisation.objects.filter(pk__in=visible).order_by("name", "pk")


def expense_line_list(*, user) -> QuerySet[ExpenseLine]:
    """Invoice lines of the expense reports the user may see (as expense_report_detail)."""
    if not user.is_authenticated:
        return ExpenseLine.objects.none()
    visible = visible_organisation_ids(user)
    qs = ExpenseLine.objects.all()
    return qs if visible is None else qs.filter(report__commitment__beneficiary_id__in=visible)


def reportable_grants(*, user) -> QuerySet[Commitment]:
    """The user's organisations' live grants with money still to liquidate: where a report can start."""
    organisations = organisation_ids_with_role(user, Role.APPLICANT)
    return (
        Commitment.objects.filter(beneficiary_id__in=organisations)
        .exclude(status=CommitmentStatus.CANCELLED)
        .filter(amount__gt=F("liquidated_total") + F("economies_total"))
        .select_related("beneficiary", "application", "application__call", "allocation_row__allocation__call")
        .order_by("-act_date", "-pk")
    )
