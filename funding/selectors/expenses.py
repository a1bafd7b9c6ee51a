"""Reads of the expense reports (rendicontazione) and the grants to report on, scoped to the user."""

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Sum,
)

from funding.choices import CommitmentStatus
from funding.models import (
    Commitment,
    ExpenseLine,
    ExpenseReport,
)
from funding.selectors.common import funding_scoped
from portal.models import Organisation
from portal.permissions import (
    APPLY,
    funding_visible_organisation_ids,
    organisation_ids_for,
)


def expense_report_list(*, user) -> QuerySet[ExpenseReport]:
    """Officials and auditors see every report; applicants those on their organisations' grants."""
    qs = ExpenseReport.objects.select_related(
        "commitment", "commitment__beneficiary", "application", "application__call", "liquidation"
    ).annotate(line_count=Count("lines"), lines_total=Sum("lines__total_amount"))
    return funding_scoped(qs, user=user, beneficiary="commitment__beneficiary_id").order_by(
        "-updated_at", "-pk"
    )


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
    return funding_scoped(qs, user=user, beneficiary="commitment__beneficiary_id")


def statement_organisations(*, user) -> QuerySet[Organisation]:
    """Organisations whose beneficiary statement the user may read: every beneficiary of a commitment
    for those who read everything, otherwise the organisations they act for."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    visible = funding_visible_organisation_ids(user)
    if visible is None:
        has_grants = Exists(Commitment.objects.filter(beneficiary=OuterRef("pk")))
        return Organisation.objects.filter(has_grants).order_by("name", "pk")
    return Organisation.objects.filter(pk__in=visible).order_by("name", "pk")


def expense_line_list(*, user) -> QuerySet[ExpenseLine]:
    """Invoice lines of the expense reports the user may see (as expense_report_detail)."""
    return funding_scoped(
        ExpenseLine.objects.all(), user=user, beneficiary="report__commitment__beneficiary_id"
    )


def reportable_grants(*, user) -> QuerySet[Commitment]:
    """The live grants with money still to liquidate of the organisations the user applies for: where a
    report can start (none for anyone else)."""
    organisations = organisation_ids_for(user, APPLY)
    if not organisations:
        return Commitment.objects.none()
    return (
        Commitment.objects.filter(beneficiary_id__in=organisations)
        .exclude(status=CommitmentStatus.CANCELLED)
        .filter(amount__gt=F("liquidated_total") + F("economies_total"))
        .select_related("beneficiary", "application", "application__call", "allocation_row__allocation__call")
        # The allocation's stored inputs hold every candidate's weight (168 KB for the COVID split):
        # decoded once per grant otherwise, and the page shows only the call's title.
        .defer("allocation_row__allocation__inputs")
        .order_by("-act_date", "-pk")
    )
