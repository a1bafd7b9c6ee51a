"""Pages of the calls (avvisi): the public list and detail (no login), and the officials' management
(create, edit, required documents, publish, close). Views translate HTTP to funding.services.calls."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from funding.choices import ApplicationStatus, CallStatus, DocumentStage
from funding.forms.applications import ApplicantChoiceForm
from funding.forms.calls import CallForm, RequiredDocumentForm
from funding.models import Call, RequiredDocument
from funding.selectors import call_list, call_public_list, calls_open_for
from funding.services import calls as services
from funding.views.confirm import Confirmation, is_confirmed
from portal.permissions import MANAGE_PROGRAMME, READ_ALL, can, capability_required
from portal.service_errors import apply_errors, error_messages

STAGE_TITLES = {
    DocumentStage.APPLICATION: _("To be submitted with the application"),
    DocumentStage.REPORT: _("To be submitted with the expense report"),
}


def _documents_by_stage(call: Call) -> list[tuple[str, list[RequiredDocument]]]:
    """[(title, documents)] for the stages that have documents, application first."""
    stages: dict[str, list[RequiredDocument]] = {stage: [] for stage in STAGE_TITLES}
    for document in call.required_documents.all():
        stages.setdefault(document.stage, []).append(document)
    return [(STAGE_TITLES[stage], docs) for stage, docs in stages.items() if docs]


# --- Public ---------------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD"])
def call_public_list_view(request):
    status = request.GET.get("status", "")
    filters = {"status": status} if status in services.PUBLIC_STATUSES else None
    calls = call_public_list(filters=filters)
    return render(
        request,
        "funding/calls/list.html",
        {
            "calls": calls[:200],
            "status": status,
            "statuses": [(s, CallStatus(s).label) for s in services.PUBLIC_STATUSES],
        },
    )


@require_http_methods(["GET", "HEAD"])
def call_public_detail(request, code: str):
    call = call_list(user=request.user).filter(code=code).first()
    if call is None:
        raise Http404
    open_call = None
    choose = None
    if request.user.is_authenticated and call.status == CallStatus.PUBLISHED:
        open_call = next((o for o in calls_open_for(user=request.user) if o.call.pk == call.pk), None)
        if open_call and len(open_call.organisations) > 1:
            choose = ApplicantChoiceForm(organisations=open_call.organisations)
    return render(
        request,
        "funding/calls/detail.html",
        {
            "call": call,
            "documents": _documents_by_stage(call),
            "is_open": services.call_is_open(call),
            "open_call": open_call,
            "choose_form": choose,
            "can_manage": can(request.user, MANAGE_PROGRAMME),
        },
    )


# --- Management (officials) ---------------------------------------------------------------------------
def _managed_call(request, code: str) -> Call:
    return get_object_or_404(call_list(user=request.user), code=code)


@capability_required(MANAGE_PROGRAMME, READ_ALL)
@require_http_methods(["GET", "HEAD"])
def call_manage_list(request):
    filters = {k: v for k, v in request.GET.items() if k in ("q", "status", "application_form") and v}
    page = Paginator(call_list(user=request.user, filters=filters or None), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/calls/manage_list.html",
        {
            "calls": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "filters": filters,
            "statuses": CallStatus.choices,
            "can_manage": can(request.user, MANAGE_PROGRAMME),
        },
    )


@capability_required(MANAGE_PROGRAMME, READ_ALL)
@require_http_methods(["GET", "HEAD"])
def call_manage_detail(request, code: str):
    call = _managed_call(request, code)
    can_manage = can(request.user, MANAGE_PROGRAMME)
    return render(
        request,
        "funding/calls/manage_detail.html",
        {
            "call": call,
            "documents": _documents_by_stage(call),
            "can_manage": can_manage,
            "document_form": RequiredDocumentForm(prefix="doc")
            if can_manage and call.status == CallStatus.DRAFT
            else None,
            "applications_count": call.applications.count(),
        },
    )


def _call_changes(form: CallForm) -> dict:
    data = dict(form.cleaned_data)
    data["eligible_organisations"] = list(data.get("eligible_organisations") or [])
    return data


@capability_required(MANAGE_PROGRAMME)
@require_http_methods(["GET", "POST"])
def call_create_view(request):
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(actor=request.user, **_call_changes(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Draft call created: now add the required documents."))
            return redirect("funding:call_manage_detail", code=call.code)
    return render(request, "funding/calls/form.html", {"form": form, "call": None})


@capability_required(MANAGE_PROGRAMME)
@require_http_methods(["GET", "POST"])
def call_edit_view(request, code: str):
    call = _managed_call(request, code)
    if call.status != CallStatus.DRAFT:
        messages.error(request, gettext("Only a draft call can be changed."))
        return redirect("funding:call_manage_detail", code=call.code)
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_update(actor=request.user, call=call, **_call_changes(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Call saved."))
            return redirect("funding:call_manage_detail", code=call.code)
    return render(request, "funding/calls/form.html", {"form": form, "call": call})


@capability_required(MANAGE_PROGRAMME)
@require_POST
def call_publish_view(request, code: str):
    call = _managed_call(request, code)
    try:
        services.call_publish(actor=request.user, call=call)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(
            request, gettext("The call is published: anyone can read it and eligible applicants can apply.")
        )
    return redirect("funding:call_manage_detail", code=call.code)


def _close_confirmation(call: Call) -> Confirmation:
    now = timezone.now()
    counts = dict(call.applications.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    drafts = counts.pop(ApplicationStatus.DRAFT, 0)
    consequences = [gettext("No application can be submitted any more, from anyone.")]
    if call.closes_at and now < call.closes_at:
        consequences.insert(
            0,
            gettext("The deadline is %(deadline)s: closing now ends the call before it.")
            % {"deadline": services.format_local(call.closes_at)},
        )
    if drafts:
        consequences.append(
            ngettext(
                "%(n)s draft application will never be submittable.",
                "%(n)s draft applications will never be submittable.",
                drafts,
            )
            % {"n": drafts}
        )
    return Confirmation(
        title=gettext("Close the call “%(title)s”?") % {"title": call.title},
        lead=gettext(
            "Closing ends the submissions: the allocation and the ranking start from what was submitted."
        ),
        action=reverse("funding:call_close", args=[call.code]),
        confirm_label=gettext("Close the call now"),
        cancel_url=reverse("funding:call_manage_detail", args=[call.code]),
        facts=[
            (gettext("Code"), call.code),
            (gettext("Submitted applications"), str(sum(counts.values()))),
            (gettext("Drafts not submitted"), str(drafts)),
        ],
        consequences=consequences,
    )


@capability_required(MANAGE_PROGRAMME)
@require_POST
def call_close_view(request, code: str):
    call = _managed_call(request, code)
    if not is_confirmed(request) and call.status == CallStatus.PUBLISHED:
        return _close_confirmation(call).render(
            request,
            breadcrumb=[
                (gettext("Manage calls"), reverse("funding:call_manage_list")),
                (call.title, reverse("funding:call_manage_detail", args=[call.code])),
            ],
        )
    try:
        services.call_close(actor=request.user, call=call)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, gettext("The call is closed: no more applications can be submitted."))
    return redirect("funding:call_manage_detail", code=call.code)


@capability_required(MANAGE_PROGRAMME)
@require_POST
def required_document_add_view(request, code: str):
    call = _managed_call(request, code)
    form = RequiredDocumentForm(request.POST, prefix="doc")
    if form.is_valid():
        try:
            services.required_document_add(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Required document added."))
            return redirect("funding:call_manage_detail", code=call.code)
    return render(
        request,
        "funding/calls/manage_detail.html",
        {
            "call": call,
            "documents": _documents_by_stage(call),
            "can_manage": True,
            "document_form": form,
            "applications_count": call.applications.count(),
        },
        status=400,
    )


@capability_required(MANAGE_PROGRAMME)
@require_POST
def required_document_remove_view(request, code: str, pk: int):
    call = _managed_call(request, code)
    document = get_object_or_404(RequiredDocument, call=call, pk=pk)
    try:
        services.required_document_remove(actor=request.user, required_document=document)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, gettext("Required document removed."))
    return redirect("funding:call_manage_detail", code=call.code)
