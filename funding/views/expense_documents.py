"""The documents of the reporting stage on the expense report's page: the call's required documents
that belong to the report (the paid invoice, the installation certificate...), listed with what was
uploaded, and uploaded from there while the beneficiary may still change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from funding.choices import DocumentStage
from funding.models import ExpenseReport, RequiredDocument
from funding.selectors import document_list, expense_report_detail
from funding.services.applications import require_applicant_of
from funding.services.documents import document_upload, report_documents_open
from funding.services.expenses import EDITABLE_STATUSES
from funding.views.expenses import ExpenseLineForm, report_context


def report_required_documents(*, user, report: ExpenseReport) -> dict | None:
    """Rows (required document, current upload or None) of the reporting stage, and whether the user
    may upload them now; None when the report's grant has no application (nothing is required)."""
    application = report.application
    if application is None:
        return None
    current = {
        d.required_document_id: d
        for d in document_list(user=user, application=application, current_only=True)
        if d.required_document_id
    }
    rows = [
        (required, current.get(required.pk))
        for required in RequiredDocument.objects.filter(
            call_id=application.call_id, stage=DocumentStage.REPORT
        ).order_by("pk")
    ]
    if not rows:
        return None
    own = require_applicant_of_quietly(user, application.applicant_id)
    return {
        "rows": rows,
        "uploadable": own and report.status in EDITABLE_STATUSES and report_documents_open(application),
        "action": reverse("funding:expense_document_upload", args=[report.pk]),
    }


def require_applicant_of_quietly(user, organisation_id: int) -> bool:
    try:
        require_applicant_of(user, organisation_id)
    except PermissionDenied:
        return False
    return True


@login_required
@require_POST
def report_document_upload(request, pk: int):
    """Upload one required document of the reporting stage; a refusal shows the report page again
    with the error on that document's field."""
    report = get_object_or_404(expense_report_detail(user=request.user), pk=pk)
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
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise ValidationError({"file": gettext("Choose a file to upload.")})
        document_upload(
            actor=request.user, application=application, required_document=required, uploaded_file=uploaded
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
