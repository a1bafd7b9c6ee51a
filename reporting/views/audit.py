from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit import compute_hash
from portal.audit_checks import (
    ACTIVE,
    CHECK_LIMIT,
    audit_check_since_checkpoint,
    audit_verification_latest,
    audit_verification_request,
)
from portal.models import AuditEvent
from portal.permissions import READ_AUDIT, capability_required
from portal.selectors import audit_event_list
from reporting.choices import ExportFormat
from reporting.reports import AUDIT_TRAIL
from reporting.selectors import audit_event_get, audit_trail_known_count, audit_trail_search

PAGE_SIZE = 50

# portal.audit states its reasons in English for logs and the command; the page translates them.
CHAIN_REASONS = {
    "missing event (gap in the sequence)": _("an event is missing (gap in the sequence)"),
    "previous-hash link does not match": _("its link to the previous event does not match"),
    "content does not match its hash": _("its content does not match its hash (it was altered)"),
    "the newest events are missing": _("the newest events are missing"),
}


@capability_required(READ_AUDIT)
@require_GET
def audit_list(request):
    search = audit_trail_search(user=request.user, data=request.GET)
    queryset = search.qs if search.is_bound and search.is_valid() else search.queryset
    paginator = Paginator(queryset, PAGE_SIZE)
    known = audit_trail_known_count(user=request.user, params=request.GET, filters=search.filters)
    if known is not None:
        paginator.count = known  # the whole trail: no COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/audit_list.html",
        {
            "search": search,
            "page": page,
            "query": query.urlencode(),
            "export_report": AUDIT_TRAIL,
            "export_formats": ExportFormat.choices,
            "params": [(k, v) for k, v in request.GET.items() if k in search.filters and v],
            "can_export": AUDIT_TRAIL.available_to(request.user),
        },
    )


@capability_required(READ_AUDIT)
@require_GET
def audit_detail(request, seq):
    try:
        event = audit_event_get(user=request.user, seq=seq)
    except AuditEvent.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "reporting/audit_detail.html",
        {"event": event, "hash_matches": compute_hash(event) == event.hash},
    )


@capability_required(READ_AUDIT)
@require_http_methods(["GET", "POST"])
def audit_verify(request):
    """GET: verify the events written since the last verified checkpoint (read only, a few events)
    and show the last full re-verification; POST: queue a full re-verification (a worker job)."""
    if request.method == "POST":
        audit_verification_request(actor=request.user)
        return redirect("reporting:audit_verify")
    report, checkpoint = audit_check_since_checkpoint()
    full = audit_verification_latest()
    broken_seq = report.first_broken_seq if not report.ok else None
    if broken_seq is None and full is not None and full.ok is False:
        broken_seq = full.first_broken_seq
    broken = None
    if broken_seq is not None:
        broken = audit_event_list(user=request.user).filter(seq=broken_seq).first()
    return render(
        request,
        "reporting/audit_verify.html",
        {
            "report": report,
            "checkpoint": checkpoint,
            "broken": broken,
            "reason": CHAIN_REASONS.get(report.reason, report.reason),
            "full": full,
            "full_reason": CHAIN_REASONS.get(full.reason, full.reason) if full else "",
            "full_active": full is not None and full.status in ACTIVE,
            "check_limit": CHECK_LIMIT,
        },
    )


@capability_required(READ_AUDIT)
@require_GET
def audit_verify_status(request):
    """The full re-verification's progress, as JSON (the page follows it)."""
    full = audit_verification_latest()
    if full is None:
        return JsonResponse({"status": "", "finished": True})
    return JsonResponse(
        {
            "status": full.status,
            "checked": full.checked,
            "total": full.total,
            "percent": full.percent,
            "finished": full.status not in ACTIVE,
        }
    )
