"""Public transparency page (no login) and the officials' publication queue."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from funding.choices import AllocationMethod
from funding.reports import transparency_public_document
from funding.selectors.transparency import (
    COLUMNS,
    TransparencyFilters,
    default_year,
    grants_to_publish,
    publication_summary,
    published_years,
    transparency_count,
    transparency_queryset,
    transparency_row,
    transparency_rows,
)
from funding.services.transparency import check_tax_codes, grants_publish
from portal.formatting import format_money
from portal.permissions import LEDGER_WRITE, capability_required
from portal.service_errors import error_messages
from reporting.http import inline_response
from reporting.renderers import get_renderer
from reporting.services.exports import export_public


def _filters(request, years: list[int] | None = None) -> TransparencyFilters:
    try:
        year = int(request.GET.get("year") or default_year(years))
    except ValueError:
        year = default_year(years)
    method = request.GET.get("method", "")
    return TransparencyFilters(
        year=year,
        beneficiary=request.GET.get("beneficiary", "").strip()[:100],
        method=method if method in AllocationMethod.values else "",
    )


def _download(request, filters: TransparencyFilters, fmt: str):
    """CSV (streamed) or XLSX through the export service, with its row limit; a refusal is shown on
    the page."""
    try:
        export = export_public(
            document=transparency_public_document(filters),
            fmt=fmt,
            filename=f"contributi-{filters.year}.{get_renderer(fmt).extension}",
            count=lambda: transparency_count(filters=filters),
        )
    except ValidationError as exc:
        error_messages(request, exc)
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    return inline_response(export)


@require_http_methods(["GET", "HEAD"])
def transparency_list(request):
    years = published_years()  # read once: the default year and the year picker
    filters = _filters(request, years)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(request, filters, fmt)
    if fmt == "json":
        return _json_download(filters)
    paginator = Paginator(transparency_queryset(filters=filters), 50)
    # Counted without the columns' joins (3 -> 1.2 ms for a year of the COVID split).
    paginator.count = transparency_count(filters=filters)
    page = paginator.get_page(request.GET.get("page"))
    rows = [transparency_row(commitment) for commitment in page.object_list]
    return render(
        request,
        "funding/transparency/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "years": years or [filters.year],
            "methods": AllocationMethod.choices,
            "columns": COLUMNS,
            "total": sum((r["amount"] for r in rows), 0),
            "query": request.GET.urlencode(),
        },
    )


def _json_download(filters: TransparencyFilters) -> StreamingHttpResponse:
    """{"year": ..., "grants": [...]} written grant by grant: memory stays flat however many."""

    def chunks():
        yield json.dumps({"year": filters.year})[:-1] + ', "grants": ['
        for n, row in enumerate(transparency_rows(filters=filters)):
            yield ("," if n else "") + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        yield "]}"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


PUBLISH_PAGE_SIZE = 50


def _publish_page(request, pending, **context) -> dict:
    """One page of the grants to publish, read in SQL (a count and PUBLISH_PAGE_SIZE rows)."""
    page = Paginator(pending, PUBLISH_PAGE_SIZE).get_page(request.GET.get("page"))
    return {"grants": page.object_list, "page": page, **context}


@require_http_methods(["GET", "POST"])
@capability_required(LEDGER_WRITE)
def transparency_publish(request):
    """Nothing is pre-selected; the chosen grants are shown again (how many, to whom, for how much)
    and published only once that page is confirmed."""
    pending = grants_to_publish(user=request.user)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("grant") if i.isdigit()]
        selected = list(pending.filter(pk__in=ids).order_by("beneficiary__name", "pk"))
        if not selected:
            context = _publish_page(request, pending, error=_("Select at least one grant to publish."))
            return render(request, "funding/transparency/publish.html", context, status=400)
        try:
            check_tax_codes(selected)
        except ValidationError as exc:
            context = _publish_page(request, pending, error=" ".join(exc.messages))
            return render(request, "funding/transparency/publish.html", context, status=400)
        if request.POST.get("step") != "confirm":
            return render(
                request,
                "funding/transparency/publish_confirm.html",
                {"summary": publication_summary(selected)},
            )
        published = {p.commitment_id for p in grants_publish(actor=request.user, commitments=selected)}
        summary = publication_summary([c for c in selected if c.pk in published])
        messages.success(
            request,
            ngettext(
                "%(count)d grant published, %(total)s.",
                "%(count)d grants published, %(total)s in all.",
                summary.count,
            )
            % {"count": summary.count, "total": format_money(summary.total)},
        )
        return redirect("funding:transparency_publish")
    return render(request, "funding/transparency/publish.html", _publish_page(request, pending))
