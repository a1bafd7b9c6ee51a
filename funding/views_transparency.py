"""Public transparency page (no login) and the officials' publication queue."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding.choices import AllocationMethod
from funding.models import Commitment
from funding.reports import transparency_public_document
from funding.transparency import (
    COLUMNS,
    TransparencyFilters,
    default_year,
    grants_publish,
    grants_to_publish,
    published_years,
    transparency_rows,
)
from portal.permissions import LEDGER_WRITE, can
from reporting.http import inline_response
from reporting.renderers import get_renderer
from reporting.services.exports import InlineExport


def _filters(request) -> TransparencyFilters:
    try:
        year = int(request.GET.get("year") or default_year())
    except ValueError:
        year = default_year()
    method = request.GET.get("method", "")
    return TransparencyFilters(
        year=year,
        beneficiary=request.GET.get("beneficiary", "").strip()[:100],
        method=method if method in AllocationMethod.values else "",
    )


def _download(filters: TransparencyFilters, fmt: str):
    """CSV or XLSX through the reporting renderers (CSV streamed)."""
    renderer = get_renderer(fmt)
    export = InlineExport(
        document=transparency_public_document(filters),
        renderer=renderer,
        filename=f"contributi-{filters.year}.{renderer.extension}",
        rows_total=None,
    )
    return inline_response(export)


@require_http_methods(["GET", "HEAD"])
def transparency_list(request):
    filters = _filters(request)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(filters, fmt)
    rows = transparency_rows(filters=filters)
    if fmt == "json":
        data = {"year": filters.year, "grants": list(rows)}
        return HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
    page = Paginator(list(rows), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/transparency/list.html",
        {
            "page": page,
            "filters": filters,
            "years": published_years() or [filters.year],
            "methods": AllocationMethod.choices,
            "columns": COLUMNS,
            "total": sum((r["amount"] for r in page.object_list), 0),
            "query": request.GET.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
def transparency_publish(request):
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    if not can(request.user, LEDGER_WRITE):
        raise PermissionDenied
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("grant") if i.isdigit()]
        published = grants_publish(
            actor=request.user, commitments=list(Commitment.objects.filter(pk__in=ids))
        )
        messages.success(request, _("%(count)d grants published.") % {"count": len(published)})
        return redirect("funding:transparency_publish")
    grants = grants_to_publish(user=request.user)[:500]
    return render(request, "funding/transparency/publish.html", {"grants": grants})
