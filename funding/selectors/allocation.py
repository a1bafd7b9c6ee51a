"""Reads of the allocations (riparti, graduatorie): officials, auditors and administrators only."""

from decimal import Decimal

from django.db.models import (
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from funding.choices import AllocationOutcome, ApplicationStatus
from funding.models import (
    Allocation,
    AllocationRow,
    Application,
    Call,
)
from funding.models.allocation import InputsSummary
from funding.selectors.common import is_reader


# --- Allocations (riparti, graduatorie) and expense reports (rendicontazione) -----------------------
def allocation_page(*, user) -> QuerySet[Allocation]:
    """Officials, auditors and administrators see every allocation; nobody else does. Each with its
    call and who computed it, and the summary of its inputs: what an allocation's page shows."""
    if not is_reader(user):
        return Allocation.objects.none()
    # The stored inputs hold every candidate's weight (168 KB for the 1,181 comuni): pages read
    # only their summary, computed in SQL (Allocation.inputs_summary).
    return (
        Allocation.objects.select_related("call", "computed_by")
        .defer("inputs")
        .annotate(_inputs_summary=InputsSummary())
    )


def allocation_list(*, user) -> QuerySet[Allocation]:
    """allocation_page with what the lists add: the count of the rows, the call's reservation and who
    adopted it (the page needs none: its totals count the rows)."""
    return (
        allocation_page(user=user)
        .select_related("call__reservation", "adopted_by")
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
        )
    )


def allocation_documents(*, user) -> QuerySet[Allocation]:
    """The allocations whose act PDFs `user` may download: the readers of allocation_list, without
    the count of the rows and the stored inputs (a download needs neither)."""
    if not is_reader(user):
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


_ROW_SHOWN = ("position", "weight", "exact_quota", "requested", "granted_before", "amount", "outcome", "rule")


def allocation_table(rows: QuerySet[AllocationRow]) -> QuerySet[AllocationRow]:
    """allocation_rows as the allocation page shows them: each row a dict of its figures, its rule and
    parameters, the beneficiary's name and ISTAT code and the application's protocol number; not model
    instances of the row, the beneficiary, its comune and the application (building them was a fifth of
    the page's Python work)."""
    return rows.select_related(None).values(
        *_ROW_SHOWN,
        "rule_params",
        "application_id",
        "beneficiary__name",
        "beneficiary__comune__istat_code",
        "application__protocol_number",
    )


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


def allocation_calls(*, user) -> QuerySet[Call]:
    """Calls as the allocation pages show them (reservation, chapter, action), to those who read all."""
    if not is_reader(user):
        return Call.objects.none()
    return Call.objects.select_related("reservation__chapter", "action__axis")


def call_ranking(*, user, call: Call) -> list[Application]:
    """The applications of the call in ranking order (approved rank first, then submission); none for
    a call without applications."""
    if not is_reader(user) or not call.requires_application:
        return []
    return list(
        Application.objects.filter(call=call)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("applicant", "commitment")
        .order_by("rank", "submitted_at", "pk")
    )
