"""The applications register."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from funding.allocation.percentage_capped_ranked import clean_cap, clean_percentage, requested_contribution
from funding.choices import AllocationMethod, ApplicationStatus, EligibleBasis
from funding.filtersets import ApplicationFilterSet
from funding.models import AllocationRow
from funding.reports.common import CHUNK_SIZE, call_lines, money_columns
from funding.selectors import MONEY, application_list
from portal.constants import ZERO
from portal.permissions import EXPORT
from reporting.registry import Column, ColumnType, Report, filter_queryset, register


# --- Applications register ----------------------------------------------------------------------------
def _applications(*, user, params):
    qs = filter_queryset(ApplicationFilterSet, application_list(user=user), params)
    if not params.get("status"):
        qs = qs.exclude(status=ApplicationStatus.DRAFT)  # a register lists what was filed
    return qs.order_by("submitted_at", "pk")


class _Requested:
    """What an application asks for: the figure of its latest ranking or split; before any, for a
    percentage call, the call's percentage of its quote up to the cap (the ranking's own rule)."""

    def __init__(self):
        self.terms: dict[int, tuple | None] = {}

    def __call__(self, ranked, call_id, method, params, basis, net, vat):
        if ranked is not None:
            return ranked
        if method != AllocationMethod.PERCENTAGE_CAPPED or net is None:
            return None
        if call_id not in self.terms:
            try:
                self.terms[call_id] = (
                    clean_percentage(params.get("percentage")),
                    clean_cap(params.get("cap")),
                )
            except (ValueError, AttributeError):
                self.terms[call_id] = None
        if self.terms[call_id] is None:
            return None
        percentage, cap = self.terms[call_id]
        expense = net + (vat or ZERO) if basis == EligibleBasis.GROSS else net
        return requested_contribution(expense=expense, percentage=percentage, cap=cap)


def application_rows(*, user, params):
    latest = AllocationRow.objects.filter(application=OuterRef("pk")).order_by("-allocation_id")
    rows = (
        _applications(user=user, params=params)
        .annotate(ranked_request=Subquery(latest.values("requested")[:1], output_field=MONEY))
        .values_list(
            "protocol_number",
            "call__title",
            "applicant__name",
            "applicant__tax_code",
            "status",
            "granted_amount",
            "submitted_at",
            "ranked_request",
            "call_id",
            "call__allocation_method",
            "call__allocation_params",
            "call__eligible_basis",
            "quote_net",
            "quote_vat",
        )
    )
    labels = {value: str(label) for value, label in ApplicationStatus.choices}
    requested = _Requested()
    for protocol, call, applicant, tax_code, status, granted, submitted_at, *request in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield (
            protocol,
            call,
            applicant,
            tax_code,
            labels[status],
            requested(*request),
            granted,
            submitted_at,
        )


def application_count(*, user, params) -> int:
    return _applications(user=user, params=params).count()


def application_subtitle(params) -> list[str]:
    return call_lines(params.get("call"))


APPLICATIONS = register(
    Report(
        key="funding.applications",
        title=_("Applications register"),
        description=_(
            "Applications filed, with protocol number, call, applicant, status, the amount requested "
            "and granted and when they were submitted."
        ),
        capability=EXPORT,
        filterset_class=ApplicationFilterSet,
        subtitle=application_subtitle,
        columns=(
            Column("protocol_number", _("Protocol number"), ColumnType.CODE, width=14),
            Column("call", _("Call"), width=30),
            Column("applicant", _("Applicant"), width=28),
            Column("tax_code", _("Tax code"), ColumnType.CODE, width=17),
            Column("status", _("Status"), width=14),
            *money_columns(("requested", _("Amount requested")), ("granted", _("Amount granted"))),
            Column("submitted_at", _("Submitted at"), ColumnType.DATETIME),
        ),
        rows=application_rows,
        count=application_count,
    )
)
