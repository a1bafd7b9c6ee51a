"""Pages of the programme and its budget ledger, for officials and auditors: what they read.

Reads come from funding.selectors (aggregate queries). The writes are in funding.views.ledger_operations.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from funding.choices import CommitmentStatus
from funding.filtersets import CommitmentFilterSet
from funding.selectors import (
    chapter_figures,
    chapter_status,
    chapter_years,
    commitment_audit_trail,
    commitment_register,
    commitment_status,
    economy_list,
    liquidation_list,
    programme_list,
    programme_tree,
    reservation_status,
)
from portal.permissions import READ_ALL, CapabilityRequiredMixin

EVENT_LABELS = {
    "ledger.commitment.created": _("Commitment recorded"),
    "ledger.commitment.confirmed": _("Commitment confirmed (definitive)"),
    "ledger.liquidation.created": _("Liquidation recorded"),
    "ledger.economy.created": _("Economy recorded"),
    "transparency.published": _("Grant published (D.Lgs. 33/2013)"),
}


class LedgerReadView(CapabilityRequiredMixin, TemplateView):
    """Officials, auditors and administrators read every ledger page; anyone else gets 403."""

    capability = READ_ALL
    http_method_names = ["get", "head", "options"]
    extra_context = {"ledger_page": True}  # the menu marks its "Budget" entry as the current one


# --- Programme ------------------------------------------------------------------------------------
class ProgrammeListView(LedgerReadView):
    template_name = "funding/ledger/programme_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "programmes": programme_list(user=self.request.user)}


class ProgrammeDetailView(LedgerReadView):
    template_name = "funding/ledger/programme_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        programme = get_object_or_404(programme_list(user=user), pk=self.kwargs["pk"])
        return {
            **super().get_context_data(**kwargs),
            "programme": programme,
            "axes": programme_tree(user=user, programme=programme),
        }


# --- Chapters, reservations, commitments ------------------------------------------------------------
def _year(request, years: list[int]) -> int | None:
    """The year asked for, else the latest year with chapters; None for "all years"."""
    value = request.GET.get("year", "")
    if value == "all":
        return None
    if value.isdigit() and int(value) in years:
        return int(value)
    return years[-1] if years else None


class ChapterStatusView(LedgerReadView):
    template_name = "funding/ledger/chapter_status.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        years = chapter_years()
        year = _year(self.request, years)
        chapters, totals = chapter_figures(user=user, year=year)
        return {
            **super().get_context_data(**kwargs),
            "years": years,
            "year": year,
            "chapters": chapters,
            "totals": totals,
        }


class ChapterDetailView(LedgerReadView):
    template_name = "funding/ledger/chapter_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        chapter = get_object_or_404(chapter_status(user=user), pk=self.kwargs["pk"])
        reservations = (
            reservation_status(user=user)
            .filter(chapter=chapter)
            .order_by("action__axis__number", "action__number", "pk")
        )
        return {**super().get_context_data(**kwargs), "chapter": chapter, "reservations": reservations}


class ReservationDetailView(LedgerReadView):
    template_name = "funding/ledger/reservation_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        reservation = get_object_or_404(reservation_status(user=user), pk=self.kwargs["pk"])
        commitments = commitment_status(user=user).filter(reservation=reservation).order_by("pk")
        return {**super().get_context_data(**kwargs), "reservation": reservation, "commitments": commitments}


class CommitmentListView(LedgerReadView):
    template_name = "funding/ledger/commitment_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        filterset = CommitmentFilterSet(
            self.request.GET or None, queryset=commitment_register(user=self.request.user).order_by("-pk")
        )
        page = Paginator(filterset.qs, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
        }


class CommitmentDetailView(LedgerReadView):
    template_name = "funding/ledger/commitment_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        commitment = get_object_or_404(commitment_status(user=user), pk=self.kwargs["pk"])
        events = [
            {"event": event, "label": _event_label(event)}
            for event in commitment_audit_trail(user=user, commitment=commitment)
        ]
        return {
            **super().get_context_data(**kwargs),
            "commitment": commitment,
            "liquidations": liquidation_list(user=user).filter(commitment=commitment).order_by("date", "pk"),
            "economies": economy_list(user=user).filter(commitment=commitment).order_by("date", "pk"),
            "events": events,
            "is_open": commitment.status != CommitmentStatus.CANCELLED,
            "is_provisional": commitment.status == CommitmentStatus.PROVISIONAL,
        }


def _event_label(event) -> str:
    if event.action == "ledger.economy.created" and (event.after or {}).get("cancels_commitment"):
        return _("Commitment cancelled: the remainder is an economy")
    return EVENT_LABELS.get(event.action, event.action)
