from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal.audit import audit_verify_chain, compute_hash
from portal.models import AuditEvent
from portal.permissions import READ_AUDIT
from portal.selectors import audit_event_list
from reporting.choices import ExportFormat
from reporting.reports import AUDIT_TRAIL
from reporting.selectors import audit_event_get, audit_trail_search
from reporting.views import capability_required

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
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
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
@require_GET
def audit_verify(request):
    """Recompute the whole hash chain now and name the first broken link (read only)."""
    report = audit_verify_chain()
    broken = None
    if not report.ok:
        broken = audit_event_list(user=request.user).filter(seq=report.first_broken_seq).first()
    return render(
        request,
        "reporting/audit_verify.html",
        {
            "report": report,
            "broken": broken,
            "reason": CHAIN_REASONS.get(report.reason, report.reason),
        },
    )
