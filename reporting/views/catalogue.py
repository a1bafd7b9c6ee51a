from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.permissions import capability_required
from reporting.choices import ExportFormat
from reporting.http import inline_response
from reporting.models import ExportJob
from reporting.registry import ReportNotFound, get_report
from reporting.selectors import REPORT_CAPABILITIES, report_list
from reporting.services.exports import export_start


@capability_required(*REPORT_CAPABILITIES)
def catalogue(request):
    return render(request, "reporting/catalogue.html", {"reports": report_list(user=request.user)})


def _report_for(request, key):
    try:
        report = get_report(key)
    except ReportNotFound:
        raise Http404 from None
    if not report.available_to(request.user):
        raise PermissionDenied
    return report


def _errors_outside_form(exc: ValidationError, form) -> list[str]:
    """Errors about the report or the format (the form's own fields show theirs)."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    return [
        message
        for field, field_errors in exc.message_dict.items()
        if field not in form.fields or field == NON_FIELD_ERRORS
        for message in field_errors
    ]


@capability_required(*REPORT_CAPABILITIES)
@require_http_methods(["GET", "POST"])
def run(request, key):
    """The parameters of one report and a button per format. Small exports come back at once;
    large ones become a job and the browser goes to its progress page."""
    report = _report_for(request, key)
    data = (request.GET or None) if request.method == "GET" else request.POST
    form = report.form(data=data, user=request.user)
    errors: list[str] = []
    if request.method == "POST":
        try:
            result = export_start(
                user=request.user,
                report_key=report.key,
                params=request.POST,
                fmt=request.POST.get("format", ""),
            )
        except ValidationError as exc:
            errors = _errors_outside_form(exc, form)
            form.is_valid()  # the bound form shows its own errors next to each field
        else:
            if isinstance(result, ExportJob):
                messages.info(request, _("The export is large: it is being prepared in the background."))
                return redirect("reporting:job_detail", pk=result.pk)
            return inline_response(result)
    formats = [(value, label) for value, label in ExportFormat.choices if value in report.formats]
    return render(
        request,
        "reporting/run.html",
        {"report": report, "form": form, "formats": formats, "errors": errors},
        status=400 if errors or (request.method == "POST" and form.errors) else 200,
    )
