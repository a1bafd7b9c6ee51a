"""Pages of the allocations: the proposal with every row and the rule applied, the adoption with
its effect on the reservation, a call's allocation and ranking (graduatoria) with the scorrimento,
and the cancellation of a withdrawn or revoked grant.

Officials, auditors and administrators read; officials act. Views only call the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from funding.acts import act_text
from funding.choices import (
    ActType,
    AllocationStatus,
    AnnexStatus,
    ApplicationStatus,
)
from funding.filtersets import AllocationFilterSet
from funding.forms.allocation import AdoptForm, CancelGrantForm
from funding.models import Application, Call
from funding.selectors import (
    allocation_calls,
    allocation_documents,
    allocation_list,
    allocation_page,
    allocation_rows,
    allocation_table,
    allocation_totals,
    call_ranking,
)
from funding.services import allocation as services
from funding.services import expenses
from funding.services.allocation import act_pdfs as annex
from funding.views.confirm import Confirmation, is_confirmed
from portal.formatting import format_money
from portal.permissions import LEDGER_WRITE, READ_ALL, REVIEW_APPLICATIONS, can, capability_required
from portal.service_errors import apply_errors, error_messages
from portal.workers import worker_seen_recently
from reporting.http import stored_pdf_response

ROWS_PER_PAGE = 50
PARAM_LABELS = {
    "percentage": _("Percentage of the eligible expense"),
    "cap": _("Maximum per application (€)"),
    "amount": _("Fixed amount (€)"),
    "ranking": _("Ranking criterion"),
    "allow_partial_last": _("Last one partly funded"),
    "skip_unfundable": _("Skip who does not fit"),
    "source": _("Source of the figures"),
}


RANKING_LABELS = {
    "submitted_at": _("submission time (a sportello)"),
    "score": _("reviewers' score"),
    "input": _("order of the list"),
}


def _params(allocation) -> list[tuple[str, str]]:
    """The strategy's parameters worth showing, labelled (the weight label is shown on its own; what
    earlier rounds granted is in the rows)."""
    params = allocation.inputs_summary.get("params") or {}
    return [
        (label, RANKING_LABELS.get(params[key], params[key]) if key == "ranking" else params[key])
        for key, label in PARAM_LABELS.items()
        if key in params
    ]


@login_required
@capability_required(READ_ALL)
def allocation_list_view(request):
    filterset = AllocationFilterSet(
        request.GET, queryset=allocation_list(user=request.user).order_by("-computed_at", "-pk")
    )
    page = Paginator(filterset.qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    status = filterset.form.cleaned_data.get("status", "")
    return render(
        request,
        "funding/allocation/list.html",
        {"page": page, "status": status, "statuses": AllocationStatus.choices},
    )


@login_required
@capability_required(READ_ALL)
def allocation_detail(request, pk: int):
    allocation = get_object_or_404(allocation_page(user=request.user), pk=pk)
    q = request.GET.get("q", "").strip()[:100]
    totals = allocation_totals(allocation=allocation)
    paginator = Paginator(allocation_table(allocation_rows(allocation=allocation, q=q)), ROWS_PER_PAGE)
    if not q:
        paginator.count = totals["rows"]  # every row: the totals counted them already
    page = paginator.get_page(request.GET.get("page"))
    rows = [(row, services.rule_words(row["rule"], row["rule_params"])) for row in page.object_list]
    return render(
        request,
        "funding/allocation/detail.html",
        {
            "allocation": allocation,
            "call": allocation.call,
            "page": page,
            "rows": rows,
            "q": q,
            "totals": totals,
            "unallocated": allocation.total - totals["amount"],
            "show_requested": totals["requested"] is not None,
            "second_round": allocation.round > 1,
            "params": _params(allocation),
            "can_adopt": allocation.status == AllocationStatus.PROPOSED and can(request.user, LEDGER_WRITE),
            "ranked": annex.has_ranking(allocation),
            "can_regenerate": allocation.annex_status == AnnexStatus.FAILED
            and can(request.user, LEDGER_WRITE),
            "worker_seen": worker_seen_recently(),
        },
    )


@never_cache
@login_required
@require_GET
@capability_required(READ_ALL)
def allocation_document_status(request, pk: int):
    """Where the act's PDFs are, as JSON: the allocation page polls it and reloads once they are
    generated (or failed), and says when no worker has been seen for a minute."""
    allocation = get_object_or_404(allocation_documents(user=request.user), pk=pk)
    waiting = allocation.annex_status in (AnnexStatus.PENDING, AnnexStatus.RUNNING)
    return JsonResponse(
        {
            "status": allocation.annex_status,
            "finished": not waiting,
            "waiting_for_worker": waiting and not worker_seen_recently(),
        }
    )


@login_required
@require_GET
@capability_required(READ_ALL)
def allocation_document(request, pk: int, document: str):
    """The act's PDF (annex or ranking), served from storage to whoever may see the allocation."""
    allocation = get_object_or_404(allocation_documents(user=request.user), pk=pk)
    try:
        stored = annex.annex_download(user=request.user, allocation=allocation, document=document)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect(f"{reverse('funding:allocation_detail', args=[allocation.pk])}#documents")
    return stored_pdf_response(stored)


@login_required
@require_POST
@capability_required(LEDGER_WRITE)
def allocation_document_regenerate(request, pk: int):
    allocation = get_object_or_404(allocation_documents(user=request.user), pk=pk)
    try:
        allocation = annex.annex_regenerate(actor=request.user, allocation=allocation)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        if allocation.annex_status == AnnexStatus.DONE:
            messages.success(request, gettext("The PDF of the act is generated."))
        else:
            messages.info(request, gettext("The PDF of the act is being generated again."))
    return redirect(f"{reverse('funding:allocation_detail', args=[allocation.pk])}#documents")


def _adopt_confirmation(allocation, effect, act) -> Confirmation:
    consequences = [
        ngettext(
            "%(n)s commitment of %(amount)s is recorded on the ledger with this act.",
            "%(n)s commitments, %(amount)s in all, are recorded on the ledger with this act.",
            effect.commitments,
        )
        % {"n": effect.commitments, "amount": format_money(effect.committed)},
    ]
    if allocation.call.requires_application:
        consequences.append(gettext("The applicants are told the outcome by e-mail."))
    consequences.append(gettext("A correction needs a new act (revocation, economy), not an edit."))
    return Confirmation(
        title=gettext("Adopt the allocation of “%(call)s”?") % {"call": allocation.call.title},
        lead=gettext("Adoption makes the proposal an act: the grants exist from now on."),
        action=reverse("funding:allocation_adopt", args=[allocation.pk]),
        confirm_label=gettext("Adopt and commit now"),
        cancel_url=reverse("funding:allocation_adopt", args=[allocation.pk]),
        facts=[
            (gettext("Act"), act_text(ActType.DD, act.number, act.date)),
            (gettext("Reservation"), str(effect.reservation)),
            (gettext("Available now"), format_money(effect.available_before)),
            (gettext("Available after adoption"), format_money(effect.available_after)),
        ],
        consequences=consequences,
        hidden={"act_number": act.number, "act_date": act.date.isoformat()},
    )


@login_required
@require_http_methods(["GET", "POST"])
@capability_required(LEDGER_WRITE)
def allocation_adopt_view(request, pk: int):
    allocation = get_object_or_404(allocation_list(user=request.user), pk=pk)
    form = AdoptForm(request.POST or None, initial={"act_date": timezone.localdate()})
    effect = error = None
    try:
        effect = services.allocation_effect(allocation=allocation)
    except ValidationError as exc:
        error = exc
    if request.method == "POST" and form.is_valid() and effect is not None and not is_confirmed(request):
        try:
            act = services.check_act(form.cleaned_data["act_number"], form.cleaned_data["act_date"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _adopt_confirmation(allocation, effect, act).render(
                request,
                breadcrumb=[
                    (gettext("Allocations"), reverse("funding:allocation_list")),
                    (allocation.call.title, reverse("funding:allocation_detail", args=[allocation.pk])),
                ],
            )
    elif request.method == "POST" and form.is_valid():
        try:
            services.allocation_adopt(actor=request.user, allocation=allocation, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Allocation adopted: the commitments are recorded."))
            return redirect("funding:allocation_detail", pk=allocation.pk)
    return render(
        request,
        "funding/allocation/adopt.html",
        {
            "allocation": allocation,
            "call": allocation.call,
            "form": form,
            "effect": effect,
            "error": error,
            "current": allocation.status == AllocationStatus.PROPOSED,
        },
    )


@login_required
@capability_required(READ_ALL)
def call_allocation(request, call_pk: int):
    """A call's allocations and, for ranked calls, its ranking with the scorrimento."""
    call = get_object_or_404(allocation_calls(user=request.user), pk=call_pk)
    reservation = call.reservation
    allocations = list(allocation_list(user=request.user).filter(call=call).order_by("-round", "-pk"))
    ranked = call.allocation_method in services.RANKED_METHODS
    applications = call_ranking(user=request.user, call=call)
    adopted = [a for a in allocations if a.status == AllocationStatus.ADOPTED]
    to_cancel = [a for a in applications if services.grant_to_cancel(a)]
    return render(
        request,
        "funding/allocation/call.html",
        {
            "call": call,
            "reservation": reservation,
            "allocations": allocations,
            "current": next((a for a in allocations if a.status == AllocationStatus.PROPOSED), None),
            "adopted": adopted,
            "ranked": ranked,
            "applications": applications,
            "to_cancel": to_cancel,
            "can_propose": services.may_propose(user=request.user, call=call, has_adopted=bool(adopted)),
            "can_rerank": services.may_rerank(
                user=request.user, call=call, has_adopted=bool(adopted), available=reservation.available
            ),
            "can_close_out": expenses.may_close_out(user=request.user, call=call),
            "can_cancel": services.may_cancel_grants(user=request.user),
        },
    )


@login_required
@require_POST
@capability_required(REVIEW_APPLICATIONS)
def call_allocation_propose(request, call_pk: int):
    call = get_object_or_404(Call, pk=call_pk)
    try:
        allocation = services.allocation_propose(actor=request.user, call=call)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect("funding:call_allocation", call_pk=call.pk)
    messages.success(request, gettext("Proposal computed: check it, then adopt it with the act."))
    return redirect("funding:allocation_detail", pk=allocation.pk)


@login_required
@require_POST
@capability_required(REVIEW_APPLICATIONS)
def call_allocation_rerank(request, call_pk: int):
    call = get_object_or_404(Call, pk=call_pk)
    try:
        allocation = services.allocation_rerank(actor=request.user, call=call)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect("funding:call_allocation", call_pk=call.pk)
    messages.success(
        request, gettext("Scorrimento computed: the freed money goes to the next in the ranking.")
    )
    return redirect("funding:allocation_detail", pk=allocation.pk)


@login_required
@require_POST
@capability_required(LEDGER_WRITE)
def call_close_out(request, call_pk: int):
    call = get_object_or_404(Call, pk=call_pk)
    try:
        expenses.call_close_out(actor=request.user, call=call)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, gettext("The call is closed out."))
    return redirect("funding:call_allocation", call_pk=call.pk)


@login_required
@require_http_methods(["GET", "POST"])
@capability_required(LEDGER_WRITE)
def grant_cancel_view(request, application_pk: int):
    application = get_object_or_404(
        Application.objects.select_related("applicant", "call", "commitment"), pk=application_pk
    )
    form = CancelGrantForm(request.POST or None, initial={"act_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_cancel(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("The commitment is cancelled: its money is back in the reservation.")
            )
            return redirect("funding:call_allocation", call_pk=application.call_id)
    ended = application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REVOKED)
    return render(
        request,
        "funding/allocation/cancel_grant.html",
        {"application": application, "form": form, "ended": ended},
    )
