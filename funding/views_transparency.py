"""Public transparency page (no login) and the officials' publication queue."""

import csv
import io
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding.choices import AllocationMethod
from funding.models import Commitment
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


class _Echo:
    def write(self, value):
        return value


def _csv(rows, filename):
    writer = csv.writer(_Echo())
    header = [str(label) for _, label in COLUMNS]

    def stream():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([row[key] for key, _ in COLUMNS])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx(rows, filename, year):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(year))
    sheet.freeze_panes = "A2"
    keys = [key for key, _ in COLUMNS]
    sheet.append([WriteOnlyCell(sheet, value=str(label)) for _, label in COLUMNS])
    count, total = 0, 0
    for row in rows:
        cells = []
        for key in keys:
            cell = WriteOnlyCell(sheet, value=row[key])
            if key == "amount":
                cell.number_format = "#,##0.00"
            elif key == "published_at":
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
        count += 1
        total += row["amount"]
    sheet.auto_filter.ref = f"A1:{chr(64 + len(keys))}{count + 1}"
    label = WriteOnlyCell(sheet, value=_("Total"))
    label.font = Font(bold=True)
    amount = WriteOnlyCell(sheet, value=total)
    amount.number_format = "#,##0.00"
    amount.font = Font(bold=True)
    sheet.append([label, None, None, amount])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@require_http_methods(["GET", "HEAD"])
def transparency_list(request):
    filters = _filters(request)
    rows = transparency_rows(filters=filters)
    filename = f"contributi-{filters.year}"
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        return _csv(rows, filename)
    if fmt == "json":
        data = {"year": filters.year, "grants": list(rows)}
        return HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
    if fmt == "xlsx":
        return _xlsx(rows, filename, filters.year)
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
