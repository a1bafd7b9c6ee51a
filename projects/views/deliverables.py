"""The deliverable's page: its data, timeline and files, and the forms of the transitions the user may
make (each a call to projects.services.deliverables, whose errors go back on the form)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import User
from portal.service_errors import apply_errors
from projects.choices import DeliverableStatus as S
from projects.choices import Visibility
from projects.forms import (
    CustodyForm,
    DateForm,
    MoveDueForm,
    ReasonForm,
    ReviewDecisionForm,
    ReviewRequestForm,
    UploadForm,
)
from projects.models import Deliverable, DeliverableFile, Project
from projects.selectors import deliverable_timeline, file_visible, project_access_for
from projects.services import deliverables as services
from projects.views.common import load


def _reviewers(project):
    orgs = project.partners.values_list("organisation_id", flat=True)
    return (
        User.objects.filter(
            is_active=True, memberships__is_active=True, memberships__organisation_id__in=orgs
        )
        .distinct()
        .order_by("email")
    )


def _forms(request, deliverable, rights, data=None, files=None, which=None):
    """The forms the user may use on this deliverable now; the submitted one is bound."""
    status = deliverable.status
    lead = rights.edits_partner(deliverable.lead_id)
    classified = deliverable.dissemination.visibility == Visibility.CLASSIFIED
    available = {}
    if lead and status == S.PREPARATION:
        available["review"] = ReviewRequestForm(reviewers=_reviewers(deliverable.project))
    if status == S.INTERNAL_REVIEW and deliverable.reviewer_id == request.user.pk:
        available["decide"] = ReviewDecisionForm()
    if lead and status in (S.PENDING, S.DRAFT):
        available["custody" if classified else "upload"] = CustodyForm() if classified else UploadForm()
    if rights.edits_work_plan and status == S.DRAFT:
        available["submit"] = DateForm()
    if rights.edits_work_plan and status in (S.PENDING, S.DRAFT):
        available["move"] = MoveDueForm()
    if rights.accepts and status == S.SUBMITTED:
        available["accept"] = DateForm()
        available["revise"] = ReasonForm()
    if which in available:
        form = available[which]
        kwargs = {"reviewers": _reviewers(deliverable.project)} if which == "review" else {}
        available[which] = type(form)(data, files, **kwargs)
    return available


@login_required
def deliverable_detail(request, acronym, pk):
    project, rights = load(request, acronym)
    deliverable = get_object_or_404(
        Deliverable.objects.select_related(
            "work_package", "lead__organisation", "type", "dissemination", "reviewer", "project"
        ),
        pk=pk,
        project=project,
    )
    which = request.POST.get("action") if request.method == "POST" else None
    forms = _forms(request, deliverable, rights, request.POST or None, request.FILES or None, which)
    if request.method == "POST":
        if which not in forms:
            raise PermissionDenied
        form = forms[which]
        if form.is_valid():
            try:
                _perform(which, request.user, deliverable, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Done: the deliverable's timeline records it."))
                return redirect("projects:deliverable_detail", acronym=acronym, pk=pk)
    files = list(deliverable.files.select_related("uploaded_by").order_by("-version"))
    return render(
        request,
        "projects/deliverable_detail.html",
        {
            "project": project,
            "rights": rights,
            "deliverable": deliverable,
            "events": deliverable_timeline(deliverable=deliverable),
            "files": files,
            "can_download": file_visible(user=request.user, deliverable=deliverable),
            "forms": forms,
            "overdue": deliverable.is_overdue(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _perform(which, user, deliverable, data):
    if which == "review":
        return services.deliverable_request_review(
            actor=user, deliverable=deliverable, reviewer=data["reviewer"], text=data["text"]
        )
    if which == "decide":
        approve = data["decision"] == "approve"
        return services.deliverable_review_decide(
            actor=user, deliverable=deliverable, approve=approve, comments=data["comments"]
        )
    if which == "upload":
        return services.deliverable_upload(actor=user, deliverable=deliverable, uploaded_file=data["file"])
    if which == "custody":
        return services.deliverable_record_custody(
            actor=user, deliverable=deliverable, held_at=data["held_at"]
        )
    if which == "submit":
        return services.deliverable_submit(actor=user, deliverable=deliverable, submitted_on=data["date"])
    if which == "accept":
        return services.deliverable_accept(actor=user, deliverable=deliverable, accepted_on=data["date"])
    if which == "revise":
        return services.deliverable_request_revision(
            actor=user, deliverable=deliverable, reason=data["reason"]
        )
    if which == "move":
        return services.deliverable_move_due(
            actor=user, deliverable=deliverable, due_date=data["due_date"], reason=data["reason"]
        )
    raise PermissionDenied


def deliverable_file_download(request, acronym, pk, version):
    """A version of the file, for whom dissemination allows (public ones: anyone, once accepted)."""
    project = get_object_or_404(Project, acronym=acronym)
    version_file = get_object_or_404(
        DeliverableFile.objects.select_related("deliverable__dissemination", "deliverable__project"),
        deliverable_id=pk,
        deliverable__project=project,
        version=version,
    )
    deliverable = version_file.deliverable
    if not file_visible(user=request.user, deliverable=deliverable):
        raise (
            Http404 if not project_access_for(user=request.user, project=project).reads else PermissionDenied
        )
    # The public sees only the current file of an accepted deliverable; the consortium every version.
    if not project_access_for(user=request.user, project=project).reads and not version_file.is_current:
        raise Http404
    response = FileResponse(
        version_file.file.open("rb"),
        content_type=version_file.content_type,
        as_attachment=True,
        filename=version_file.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


__all__ = ["require_POST"]
