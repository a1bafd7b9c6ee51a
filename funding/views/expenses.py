"""Pages of the expense reports (rendicontazione): the beneficiary's report with its invoice lines and
attachments, the official's line-by-line verification and liquidation, the closing of a grant.

Views only translate HTTP to the services in funding.services.expenses and back; the rules live there.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from funding.choices import DocumentStage, ExpenseReportStatus
from funding.filtersets import ExpenseReportFilterSet
from funding.forms.expenses import (
    ActForm,
    AttachmentForm,
    CloseGrantForm,
    ExpenseLineForm,
    LineDecisionForm,
    ReturnForm,
)
from funding.models import Application, Commitment, ExpenseLine, ExpenseReport, RequiredDocument
from funding.selectors import (
    acts_for,
    document_list,
    expense_report_detail,
    expense_report_list,
    reportable_grants,
)
from funding.services import expenses
from funding.services.documents import report_documents_open
from portal.constants import ZERO
from portal.permissions import (
    APPLY,
    LEDGER_WRITE,
    READ_ALL,
    REVIEW_APPLICATIONS,
    can,
    capability_required,
)
from portal.security import visible_or_404
from portal.service_errors import apply_errors, error_messages


def _is_beneficiary(user, report: ExpenseReport) -> bool:
    return acts_for(user=user, organisation_id=report.commitment.beneficiary_id)


# --- Lists ---------------------------------------------------------------------------------------
@login_required
@capability_required(READ_ALL, APPLY)
def report_list(request):
    user = request.user
    data = request.GET.copy()
    if data.get("status", "") not in ExpenseReportStatus.values:
        data["status"] = ExpenseReportStatus.SUBMITTED if can(user, REVIEW_APPLICATIONS) else ""
    filterset = ExpenseReportFilterSet(data, queryset=expense_report_list(user=user))
    reports = filterset.qs
    status = data["status"]
    return render(
        request,
        "funding/expenses/list.html",
        {
            "reports": reports[:200],
            "grants": reportable_grants(user=user)[:200] if can(user, APPLY) else None,
            "status": status,
            "statuses": ExpenseReportStatus.choices,
        },
    )


@login_required
@require_POST
@capability_required(APPLY)
def report_create(request):
    user = request.user
    application = commitment = None
    if request.POST.get("application", "").isdigit():
        application = get_object_or_404(Application, pk=request.POST["application"])
    elif request.POST.get("commitment", "").isdigit():
        commitment = get_object_or_404(Commitment, pk=request.POST["commitment"])
    else:
        raise PermissionDenied
    try:
        report = expenses.expense_report_create(
            actor=user,
            application=application,
            commitment=commitment,
            is_final=request.POST.get("is_final", "1") == "1",
        )
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect("funding:expense_list")
    messages.success(request, gettext("Expense report opened: add the invoices, then submit it."))
    return redirect("funding:expense_detail", pk=report.pk)


# --- The beneficiary's report --------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    report = visible_or_404(request, expense_report_detail(user=request.user), pk=pk)
    beneficiary = _is_beneficiary(request.user, report)
    editable = beneficiary and expenses.report_is_editable(report)
    form = ExpenseLineForm(request.POST or None) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                expenses.expense_line_add(actor=request.user, report=report, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, gettext("Invoice added."))
                return redirect("funding:expense_detail", pk=report.pk)
    return render(request, "funding/expenses/detail.html", report_context(request, report, form=form))


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
    own = acts_for(user=user, organisation_id=application.applicant_id)
    return {
        "rows": rows,
        "uploadable": own and expenses.report_is_editable(report) and report_documents_open(application),
        "action": reverse("funding:expense_document_upload", args=[report.pk]),
    }


def report_context(request, report: ExpenseReport, *, form=None, **extra) -> dict:
    """What the report page shows: its lines, the documents of the reporting stage the call requires
    (with their upload controls while the beneficiary may still change them), the actions allowed."""
    beneficiary = _is_beneficiary(request.user, report)
    editable = beneficiary and expenses.report_is_editable(report)
    lines = list(report.lines.prefetch_related("documents"))
    return {
        "report": report,
        "lines": lines,
        "form": form,
        "attach_form": AttachmentForm() if editable else None,
        "editable": editable,
        "beneficiary": beneficiary,
        "report_required": report_required_documents(user=request.user, report=report),
        "upload_errors": {},
        "reviewer": can(request.user, REVIEW_APPLICATIONS),
        "can_close": expenses.may_close_grant(user=request.user, commitment=report.commitment),
        "totals": _totals(lines),
        **extra,
    }


def _totals(lines):
    return {
        "net": sum((line.net_amount for line in lines), ZERO),
        "vat": sum((line.vat_amount for line in lines), ZERO),
        "total": sum((line.total_amount for line in lines), ZERO),
    }


def _own_line(request, pk: int, line_pk: int) -> ExpenseLine:
    report = visible_or_404(request, expense_report_detail(user=request.user), pk=pk)
    if not _is_beneficiary(request.user, report):
        raise PermissionDenied
    return get_object_or_404(
        ExpenseLine.objects.select_related("report__commitment"), pk=line_pk, report=report
    )


@login_required
@require_POST
def line_remove(request, pk: int, line_pk: int):
    line = _own_line(request, pk, line_pk)
    try:
        expenses.expense_line_remove(actor=request.user, line=line)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, gettext("Invoice removed."))
    return redirect("funding:expense_detail", pk=pk)


@login_required
@require_POST
def line_attach(request, pk: int, line_pk: int):
    line = _own_line(request, pk, line_pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("funding:expense_detail", pk=pk)
    try:
        expenses.expense_document_attach(
            actor=request.user, line=line, uploaded_file=form.cleaned_data["uploaded_file"]
        )
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, gettext("File attached."))
    return redirect("funding:expense_detail", pk=pk)


@login_required
@require_POST
def report_submit(request, pk: int):
    report = visible_or_404(request, expense_report_detail(user=request.user), pk=pk)
    if not _is_beneficiary(request.user, report):
        raise PermissionDenied
    try:
        expenses.expense_report_submit(actor=request.user, report=report)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, gettext("Report submitted: the Region will verify it."))
    return redirect("funding:expense_detail", pk=pk)


# --- The official's verification -----------------------------------------------------------------
def _decision_forms(lines, data=None):
    result = []
    for line in lines:
        prefix = f"line-{line.pk}"
        initial = {
            "eligible": "" if line.eligible is None else ("1" if line.eligible else "0"),
            "reason": line.ineligible_reason,
        }
        result.append((line, LineDecisionForm(data, prefix=prefix, initial=initial)))
    return result


@login_required
@require_http_methods(["GET", "POST"])
@capability_required(REVIEW_APPLICATIONS)
def report_verify(request, pk: int):
    user = request.user
    report = visible_or_404(request, expense_report_detail(user=user), pk=pk)
    lines = list(report.lines.prefetch_related("documents"))
    submitted = expenses.report_awaits_verification(report)
    decision_forms = _decision_forms(lines, request.POST if request.POST.get("step") == "decide" else None)
    act_form = ActForm(
        request.POST if request.POST.get("step") == "verify" else None,
        initial={"act_date": timezone.localdate()},
    )
    return_form = ReturnForm(request.POST if request.POST.get("step") == "return" else None)
    if request.method == "POST":
        if not submitted:
            messages.error(request, gettext("This report is not waiting for verification."))
            return redirect("funding:expense_detail", pk=pk)
        step = request.POST.get("step")
        if step == "decide":
            if _save_decisions(request, report, decision_forms):
                messages.success(request, gettext("Decisions saved: check the payable amount, then verify."))
                return redirect("funding:expense_verify", pk=pk)
        elif step == "verify" and act_form.is_valid():
            try:  # the service refuses (403) whoever may not liquidate
                expenses.expense_report_verify(actor=user, report=report, **act_form.cleaned_data)
            except ValidationError as exc:
                apply_errors(act_form, exc)
            else:
                messages.success(request, gettext("Report verified and liquidated."))
                return redirect("funding:expense_detail", pk=pk)
        elif step == "return" and return_form.is_valid():
            try:
                expenses.expense_report_return(
                    actor=user, report=report, reason=return_form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_errors(return_form, exc)
            else:
                messages.success(request, gettext("Report returned to the beneficiary for corrections."))
                return redirect("funding:expense_detail", pk=pk)
    return render(
        request,
        "funding/expenses/verify.html",
        {
            "report": report,
            "decision_forms": decision_forms,
            "act_form": act_form,
            "return_form": return_form,
            "payable": expenses.expense_report_payable(report=report),
            "submitted": submitted,
            "totals": _totals(lines),
        },
    )


def _save_decisions(request, report, decision_forms) -> bool:
    """All the decisions of the page, saved together by the service or not at all."""
    if not all(form.is_valid() for _line, form in decision_forms):
        return False
    decisions = [
        expenses.LineDecision(
            line=line, eligible=form.cleaned_data["eligible"] == "1", reason=form.cleaned_data["reason"]
        )
        for line, form in decision_forms
        if form.cleaned_data["eligible"] != ""
    ]
    try:
        expenses.expense_lines_decide(actor=request.user, report=report, decisions=decisions)
    except expenses.LineDecisionsRefused as exc:
        forms_by_line = {line.pk: form for line, form in decision_forms}
        for line_pk, error in exc.by_line.items():
            form = forms_by_line[line_pk]
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error("reason" if field == "ineligible_reason" else None, errors)
            else:
                form.add_error(None, error.messages)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
@capability_required(LEDGER_WRITE)
def grant_close(request, commitment_pk: int):
    user = request.user
    commitment = get_object_or_404(
        Commitment.objects.select_related("beneficiary", "reservation__chapter"), pk=commitment_pk
    )
    form = CloseGrantForm(request.POST or None, initial={"act_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            expenses.grant_close(actor=user, commitment=commitment, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("Grant closed: what was not liquidated is back in the reservation.")
            )
            return redirect("funding:expense_list")
    return render(request, "funding/expenses/close.html", {"commitment": commitment, "form": form})
