"""Reports of the allocations: the annex of an allocation (every row with its weight, exact quota
and amount) and a ranked call's ranking (graduatoria).

Registered at start-up by FundingConfig.ready() (funding/reports.py, found by the registry's
autodiscovery, holds the other funding reports). The annex and the ranking are also the PDFs
generated once when an allocation is adopted (funding/services/allocation/act_pdfs.py), built by
`annex_document` and `ranking_document` below with the same rows and lines.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding import allocation as strategies
from funding.acts import act_text
from funding.choices import ActType, AllocationMethod, AllocationOutcome, AllocationStatus, EligibleBasis
from funding.models import Allocation, AllocationRow, Call
from portal.formatting import format_money
from portal.permissions import EXPORT
from reporting.document import ReportDocument, build_document
from reporting.registry import Column, ColumnType, Report, register

CHUNK_SIZE = 2000


def _date(value: datetime.date | str | None) -> str:
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _outcome_labels() -> dict[str, str]:
    """Outcome labels in the active language (read once per document, not once per row)."""
    return {value: str(label) for value, label in AllocationOutcome.choices}


def weight_description(allocation: Allocation) -> str:
    """What the weight of the rows is, in words: population at a date, officers, eligible expense."""
    call = allocation.call
    method = allocation.method
    if method == AllocationMethod.POPULATION:
        reference = allocation.inputs_summary.get("reference_date") or call.reference_date
        return gettext("resident population on %(date)s") % {"date": _date(reference)}
    if method == AllocationMethod.DECLARED_WEIGHT:
        params = allocation.inputs_summary.get("params") or {}
        return call.weight_label or params.get("weight_label") or gettext("declared weight")
    if method == AllocationMethod.PERCENTAGE_CAPPED:
        if call.eligible_basis == EligibleBasis.NET:
            return gettext("eligible expense net of VAT")
        return gettext("eligible expense, VAT included")
    return gettext("not used (a fixed amount for each beneficiary)")


def act_line(allocation: Allocation) -> str:
    """The act that adopted the allocation, or that it is only a proposal."""
    if allocation.status == AllocationStatus.ADOPTED:
        act = act_text(ActType.DD, allocation.act_number, allocation.act_date)
        return gettext("Adopted by %(act)s") % {"act": act}
    return gettext("Proposal computed on %(date)s: %(status)s, not an adopted act") % {
        "date": _date(allocation.computed_at.date()),
        "status": allocation.get_status_display(),
    }


def _allocation_lines(allocation: Allocation) -> list[str]:
    call = allocation.call
    lines = [
        act_line(allocation),
        gettext("Call %(code)s, round %(round)s") % {"code": call.code, "round": allocation.round},
        gettext("Method: %(method)s") % {"method": allocation.get_method_display()},
        gettext("Weight: %(weight)s") % {"weight": weight_description(allocation)},
        gettext("Amount to split: %(total)s; allocated: %(allocated)s")
        % {"total": format_money(allocation.total), "allocated": format_money(allocation.allocated_total)},
    ]
    if call.legal_references.strip():
        references = " ".join(call.legal_references.split())
        lines.append(gettext("Legal references: %(references)s") % {"references": references[:300]})
    return lines


# --- Allocation annex ---------------------------------------------------------------------------------
class AllocationAnnexForm(forms.Form):
    allocation = forms.ModelChoiceField(label=_("Allocation"), queryset=Allocation.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = (
            Allocation.objects.exclude(status=AllocationStatus.SUPERSEDED)
            .select_related("call")
            .defer("inputs")
            .order_by("-computed_at", "-pk")
        )


def _annex_rows_queryset(allocation: Allocation) -> QuerySet[AllocationRow]:
    return AllocationRow.objects.filter(allocation=allocation).order_by("position")


def annex_rows(*, user, params) -> Iterator[tuple]:
    outcomes = _outcome_labels()
    rows = _annex_rows_queryset(params["allocation"]).values_list(
        "position",
        "beneficiary__name",
        "application__protocol_number",
        "beneficiary__comune__istat_code",
        "beneficiary__tax_code",
        "weight",
        "exact_quota",
        "amount",
        "outcome",
    )
    for position, name, protocol, istat, tax_code, weight, quota, amount, outcome in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield (position, name, protocol or istat or "", tax_code, weight, quota, amount, outcomes[outcome])


def annex_count(*, user, params) -> int:
    return _annex_rows_queryset(params["allocation"]).count()


def annex_subtitle(params: dict[str, Any]) -> list[str]:
    return _allocation_lines(params["allocation"])


ALLOCATION_ANNEX = register(
    Report(
        key="funding.allocation_annex",
        title=_("Allocation annex"),
        description=_(
            "Every row of an allocation with the beneficiary, its tax code, the weight, the exact quota, "
            "the amount and the outcome; the method, reference date, total and act in the heading."
        ),
        capability=EXPORT,
        form_class=AllocationAnnexForm,
        columns=(
            Column("position", _("No."), ColumnType.CODE, width=6),
            Column("beneficiary", _("Beneficiary"), width=36),
            Column("code", _("ISTAT code or protocol"), ColumnType.CODE, width=14, in_pdf=False),
            Column("tax_code", _("Tax code"), ColumnType.CODE, width=15),
            Column("weight", _("Weight"), ColumnType.DECIMAL, total=True, width=12),
            Column("exact_quota", _("Exact quota"), ColumnType.DECIMAL, places=6, width=15),
            Column("amount", _("Amount"), ColumnType.MONEY, total=True, width=13),
            Column("outcome", _("Outcome"), width=13),
        ),
        rows=annex_rows,
        count=annex_count,
        subtitle=annex_subtitle,
        landscape=False,
    )
)


# --- Ranking (graduatoria) ----------------------------------------------------------------------------
def ranking_allocation(call: Call) -> Allocation | None:
    """The allocation whose rows are the call's ranking: the latest adopted round, else the
    current proposal."""
    allocations = Allocation.objects.filter(call=call).select_related("call").order_by("-round", "-pk")
    adopted = allocations.filter(status=AllocationStatus.ADOPTED).first()
    return adopted or allocations.filter(status=AllocationStatus.PROPOSED).first()


class RankingForm(forms.Form):
    call = forms.ModelChoiceField(label=_("Call"), queryset=Call.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = (
            Call.objects.filter(allocation_method__in=strategies.RANKED_METHODS, allocations__isnull=False)
            .distinct()
            .order_by("-opens_at", "title")
        )


def _ranking_of(params) -> Allocation | None:
    """The allocation given by the act's PDF (params["allocation"]) or the call's current one."""
    return params.get("allocation") or ranking_allocation(params["call"])


def ranking_rows(*, user, params) -> Iterator[tuple]:
    allocation = _ranking_of(params)
    if allocation is None:
        return
    outcomes = _outcome_labels()
    rows = _annex_rows_queryset(allocation).values_list(
        "position",
        "application__rank",
        "application__protocol_number",
        "beneficiary__name",
        "beneficiary__tax_code",
        "application__submitted_at",
        "application__score",
        "requested",
        "amount",
        "outcome",
    )
    for (
        position,
        rank,
        protocol,
        name,
        tax_code,
        submitted_at,
        score,
        requested,
        amount,
        outcome,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        # The ranking approved with the first round stays the reference; a later round lists the
        # applications still in it with their original rank.
        yield (
            rank or position,
            protocol,
            name,
            tax_code,
            submitted_at,
            score,
            requested,
            amount,
            outcomes[outcome],
        )


def ranking_count(*, user, params) -> int:
    allocation = _ranking_of(params)
    return 0 if allocation is None else _annex_rows_queryset(allocation).count()


def ranking_subtitle(params: dict[str, Any]) -> list[str]:
    allocation = _ranking_of(params)
    if allocation is None:
        return [gettext("No allocation of this call has been computed yet.")]
    criterion = (allocation.inputs_summary.get("params") or {}).get("ranking", "")
    lines = _allocation_lines(allocation)
    if criterion:
        lines.insert(3, gettext("Ranking by: %(criterion)s") % {"criterion": ranking_criterion(criterion)})
    return lines


def ranking_criterion(value: str) -> str:
    labels = {
        strategies.RANKING_BY_SUBMISSION: gettext("submission time (a sportello)"),
        strategies.RANKING_BY_SCORE: gettext("reviewers' score"),
        strategies.RANKING_BY_INPUT_ORDER: gettext("order of the list"),
    }
    return labels.get(value, value)


RANKING = register(
    Report(
        key="funding.ranking",
        title=_("Ranking (graduatoria)"),
        description=_(
            "A ranked call's applications in ranking order with protocol, applicant, submission time "
            "and score, the amount requested and granted, and the outcome."
        ),
        capability=EXPORT,
        form_class=RankingForm,
        columns=(
            Column("rank", _("Rank"), ColumnType.CODE, width=6),
            Column("protocol", _("Protocol"), ColumnType.CODE, width=13),
            Column("applicant", _("Applicant"), width=30),
            Column("tax_code", _("Tax code"), ColumnType.CODE, width=15, in_pdf=False),
            Column("submitted_at", _("Submitted at"), ColumnType.DATETIME, width=15),
            Column("score", _("Score"), ColumnType.DECIMAL, places=2, width=8),
            Column("requested", _("Requested"), ColumnType.MONEY, total=True, width=13),
            Column("granted", _("Granted"), ColumnType.MONEY, total=True, width=13),
            Column("outcome", _("Outcome"), width=14),
        ),
        rows=ranking_rows,
        count=ranking_count,
        subtitle=ranking_subtitle,
    )
)


# --- The act's documents ------------------------------------------------------------------------------
def annex_document(allocation: Allocation) -> ReportDocument:
    """The annex of `allocation` as the act's PDF shows it (rows read lazily)."""
    params = {"allocation": allocation}
    return build_document(
        report=ALLOCATION_ANNEX, user=None, params=params, rows_total=annex_count(user=None, params=params)
    )


def ranking_document(allocation: Allocation) -> ReportDocument:
    """The ranking as it stands with `allocation` (a round of a ranked call)."""
    params = {"call": allocation.call, "allocation": allocation}
    return build_document(
        report=RANKING, user=None, params=params, rows_total=ranking_count(user=None, params=params)
    )


def has_ranking(allocation: Allocation) -> bool:
    return allocation.method in strategies.RANKED_METHODS
