"""Pages of the applications (domande): the applicant fills in a draft, uploads the documents and
submits it; officials review, revoke; both read the timeline. Documents are downloaded through a view
that checks permission and streams the file. Views translate HTTP to the services and back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from funding.choices import ApplicationStatus, CallStatus, DocumentStage
from funding.filtersets import ApplicationFilterSet
from funding.forms.applications import (
    ApplicantChoiceForm,
    ApplicationDataForm,
    ReasonForm,
    ReviewForm,
)
from funding.http import document_response
from funding.models import Application, Call, RequiredDocument
from funding.selectors import (
    acts_for,
    application_list,
    application_missing,
    application_review_queue,
    application_table,
    application_timeline,
    calls_open_for,
    document_list,
    document_visible,
)
from funding.services import applications as services
from funding.services.calls import call_is_score_ranked
from funding.services.documents import document_upload, report_documents_open
from funding.services.workflow import allowed
from funding.views.confirm import Confirmation, is_confirmed
from portal.permissions import (
    APPLY,
    READ_ALL,
    REVIEW_APPLICATIONS,
    can,
    capability_required,
)
from portal.security import visible_or_404
from portal.service_errors import apply_errors, error_texts


def _visible(request, pk: int) -> Application:
    return visible_or_404(request, application_list(user=request.user), pk=pk)


def _is_applicant(user, application: Application) -> bool:
    return acts_for(user=user, organisation_id=application.applicant_id)


# --- Lists ---------------------------------------------------------------------------------------------
PAGE_SIZE = 50


def _page(request, queryset) -> dict:
    """One page of the application table read in SQL (a count of `queryset` and PAGE_SIZE rows of the
    table's columns), with the query string for the page links."""
    page = Paginator(queryset.select_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = application_table(page.object_list)  # counting the rows needs no join
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "applications": page.object_list, "query": query.urlencode()}


@capability_required(APPLY, READ_ALL)
@require_http_methods(["GET", "HEAD"])
def application_list_view(request):
    filterset = ApplicationFilterSet(request.GET or None, queryset=application_list(user=request.user))
    applications = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = _page(request, applications)
    return render(
        request,
        "funding/applications/list.html",
        {**page, "filterset": filterset, "reader": can(request.user, READ_ALL)},
    )


@capability_required(REVIEW_APPLICATIONS)
@require_http_methods(["GET", "HEAD"])
def review_queue_view(request):
    filterset = ApplicationFilterSet(request.GET or None, queryset=application_list(user=request.user))
    filters = request.GET.copy() if filterset.is_bound and filterset.is_valid() else {}
    page = _page(request, application_review_queue(user=request.user, filters=filters))
    return render(request, "funding/applications/review_queue.html", {**page, "filterset": filterset})


# --- Applicant ---------------------------------------------------------------------------------------
@capability_required(APPLY)
@require_POST
def application_start(request, code: str):
    call = get_object_or_404(Call, code=code, status=CallStatus.PUBLISHED)
    open_call = next((o for o in calls_open_for(user=request.user) if o.call.pk == call.pk), None)
    organisations = open_call.organisations if open_call else []
    form = ApplicantChoiceForm(request.POST, organisations=organisations)
    if request.POST.get("applicant") and not form.is_valid():
        messages.error(request, str(services.ERROR_NO_APPLICANT))
        return redirect("funding:call_detail", code=call.code)
    try:
        applicant = form.cleaned_data["applicant"] if request.POST.get("applicant") else None
        applicant = applicant or services.default_applicant(user=request.user, call=call)
        application = services.application_create(actor=request.user, call=call, applicant=applicant)
    except ValidationError as exc:
        for text in error_texts(exc):
            messages.error(request, text)
        return redirect("funding:call_detail", code=call.code)
    messages.success(
        request, gettext("Draft application created: fill it in, upload the documents and submit it.")
    )
    if services.required_fields(call):
        return redirect("funding:application_edit", pk=application.pk)
    return redirect("funding:application_detail", pk=application.pk)


@capability_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    application = _visible(request, pk)
    if not _is_applicant(request.user, application):
        raise Http404
    if application.status != ApplicationStatus.DRAFT:
        messages.error(request, gettext("Only a draft application can be changed."))
        return redirect("funding:application_detail", pk=application.pk)
    form = ApplicationDataForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Application saved."))
            return redirect("funding:application_detail", pk=application.pk)
    return render(request, "funding/applications/edit.html", {"application": application, "form": form})


def _detail_context(request, application: Application, **extra) -> dict:
    user = request.user
    applicant = _is_applicant(user, application)
    reviewer = can(user, REVIEW_APPLICATIONS)
    documents = list(document_list(user=user, application=application))
    current = {d.required_document_id: d for d in documents if d.is_current and d.required_document_id}
    required = [
        (rd, current.get(rd.pk))
        for rd in RequiredDocument.objects.filter(call_id=application.call_id).order_by("stage", "pk")
    ]
    status = application.status
    return {
        "application": application,
        "call": application.call,
        "missing": application_missing(application=application),
        "required": [r for r in required if r[0].stage == DocumentStage.APPLICATION],
        "report_required": [r for r in required if r[0].stage == DocumentStage.REPORT],
        "other_documents": [d for d in documents if d.is_current and not d.required_document_id],
        "history": [d for d in documents if not d.is_current],
        "timeline": application_timeline(user=user, application=application),
        "data_fields": [
            (services.field_label(n), getattr(application, n), n)
            for n in services.required_fields(application.call)
        ],
        "is_applicant": applicant,
        "can_edit": applicant and status == ApplicationStatus.DRAFT,
        "report_uploadable": applicant and report_documents_open(application),
        "can_withdraw": applicant and allowed(status, ApplicationStatus.WITHDRAWN),
        "can_review": reviewer and allowed(status, ApplicationStatus.ADMISSIBLE),
        "can_reject": reviewer and allowed(status, ApplicationStatus.INADMISSIBLE),
        "can_revoke": reviewer and allowed(status, ApplicationStatus.REVOKED),
        "upload_errors": {},
        **extra,
    }


@capability_required(APPLY, READ_ALL)
@require_http_methods(["GET", "HEAD"])
def application_detail(request, pk: int):
    application = _visible(request, pk)
    return render(request, "funding/applications/detail.html", _detail_context(request, application))


def _submittable(application: Application) -> bool:
    """Nothing missing and the call open: otherwise the service says what is wrong at once."""
    if application.status != ApplicationStatus.DRAFT:
        return False
    missing = application_missing(application=application)
    return missing.is_open and not missing.fields and not missing.documents


def _submit_confirmation(application: Application) -> Confirmation:
    documents = application.documents.filter(is_current=True).count()
    return Confirmation(
        title=gettext("Submit the application to “%(call)s”?") % {"call": application.call.title},
        lead=gettext("Check the data and the documents: the Region examines the application as submitted."),
        action=reverse("funding:application_submit", args=[application.pk]),
        confirm_label=gettext("Submit the application now"),
        cancel_url=reverse("funding:application_detail", args=[application.pk]),
        facts=[
            (gettext("Applicant"), application.applicant.name),
            (gettext("Call"), application.call.title),
            (gettext("Documents uploaded"), str(documents)),
        ],
        consequences=[
            gettext("The application gets a protocol number and can no longer be changed or completed."),
            gettext("It can still be withdrawn, but not taken back to a draft."),
        ],
    )


@capability_required(APPLY)
@require_POST
def application_submit_view(request, pk: int):
    application = _visible(request, pk)
    services.require_applicant_of(request.user, application.applicant_id)
    if not is_confirmed(request) and _submittable(application):
        return _submit_confirmation(application).render(
            request,
            breadcrumb=[
                (gettext("My applications"), reverse("funding:application_list")),
                (application.call.title, reverse("funding:application_detail", args=[application.pk])),
            ],
        )
    try:
        services.application_submit(actor=request.user, application=application)
    except ValidationError as exc:
        context = _detail_context(request, application, submit_errors=error_texts(exc))
        return render(request, "funding/applications/detail.html", context, status=400)
    messages.success(
        request,
        gettext("Application submitted with protocol number %(protocol)s.")
        % {"protocol": application.protocol_number},
    )
    return redirect("funding:application_detail", pk=application.pk)


@capability_required(APPLY)
@require_POST
def document_upload_view(request, pk: int):
    application = _visible(request, pk)
    # Permission before validation: a refusal must not tell which document codes exist.
    services.require_applicant_of(request.user, application.applicant_id)
    key = request.POST.get("required_document", "")
    required = None
    if key:
        required = (
            get_object_or_404(RequiredDocument, pk=key, call_id=application.call_id)
            if key.isdigit()
            else None
        )
        if required is None:
            raise Http404
    try:
        document_upload(
            actor=request.user,
            application=application,
            required_document=required,
            uploaded_file=request.FILES.get("file"),
        )
    except ValidationError as exc:
        errors = {str(required.pk if required else "other"): error_texts(exc)}
        name = required.name if required else gettext("Other document")
        context = _detail_context(
            request, application, upload_errors=errors, upload_summary=(name, error_texts(exc))
        )
        return render(request, "funding/applications/detail.html", context, status=400)
    messages.success(request, gettext("Document uploaded."))
    return redirect("funding:application_detail", pk=application.pk)


@capability_required(APPLY)
@require_http_methods(["GET", "POST"])
def application_withdraw_view(request, pk: int):
    application = _visible(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("The application is withdrawn."))
            return redirect("funding:application_detail", pk=application.pk)
    return render(
        request,
        "funding/applications/reason.html",
        {"application": application, "form": form, "action": "withdraw"},
        status=400 if form.errors else 200,
    )


# --- Official ---------------------------------------------------------------------------------------
@capability_required(REVIEW_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def application_review_view(request, pk: int):
    application = _visible(request, pk)
    form = ReviewForm(request.POST or None, score_ranked=call_is_score_ranked(application.call))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_review(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Decision recorded; the applicant has been told by e-mail."))
            return redirect("funding:review_queue")
    context = _detail_context(request, application, form=form)
    return render(request, "funding/applications/review.html", context, status=400 if form.errors else 200)


@capability_required(REVIEW_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def application_revoke_view(request, pk: int):
    application = _visible(request, pk)
    form = ReasonForm(request.POST or None, required=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_revoke(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("The grant is revoked; the applicant has been told by e-mail."))
            return redirect("funding:application_detail", pk=application.pk)
    return render(
        request,
        "funding/applications/reason.html",
        {"application": application, "form": form, "action": "revoke"},
        status=400 if form.errors else 200,
    )


# --- Documents ---------------------------------------------------------------------------------------
@never_cache
@capability_required(APPLY, READ_ALL)
@require_http_methods(["GET", "HEAD"])
def document_download(request, pk: int):
    """Only to users who may see the application; always as an attachment, never sniffed."""
    return document_response(visible_or_404(request, document_visible(user=request.user), pk=pk))
