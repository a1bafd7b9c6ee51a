"""The documents of the reporting stage on the expense report's page: the call's required documents
that belong to the report (the paid invoice, the installation certificate...), listed with what was
uploaded, and uploaded from there while the beneficiary may still change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from funding.choices import DocumentStage
from funding.forms.expenses import ExpenseLineForm
from funding.models import RequiredDocument
from funding.selectors import expense_report_detail
from funding.services.applications import require_applicant_of
from funding.services.documents import document_upload
from funding.views.expenses import report_context
from portal.security import visible_or_404


@login_required
@require_POST
def report_document_upload(request, pk: int):
    """Upload one required document of the reporting stage; a refusal shows the report page again
    with the error on that document's field."""
    report = visible_or_404(request, expense_report_detail(user=request.user), pk=pk)
    application = report.application
    if application is None:
        raise Http404
    # Permission first: a refusal must not tell which document codes exist.
    require_applicant_of(request.user, application.applicant_id)
    key = request.POST.get("required_document", "")
    if not key.isdigit():
        raise Http404
    required = get_object_or_404(
        RequiredDocument, pk=key, call_id=application.call_id, stage=DocumentStage.REPORT
    )
    try:
        document_upload(
            actor=request.user,
            application=application,
            required_document=required,
            uploaded_file=request.FILES.get("file"),
        )
    except ValidationError as exc:
        errors = {str(required.pk): list(exc.messages)}
        context = report_context(
            request, report, upload_errors=errors, upload_summary=(required.name, errors[str(required.pk)])
        )
        if context["editable"]:
            context["form"] = ExpenseLineForm()
        return render(request, "funding/expenses/detail.html", context, status=400)
    messages.success(request, gettext("Document uploaded."))
    return redirect("funding:expense_detail", pk=report.pk)
