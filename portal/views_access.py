"""Pages of access requests: a self-registered user asks; an administrator or official decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.access import access_request_create, access_request_decide
from portal.forms import AccessDecisionForm, AccessRequestForm
from portal.permissions import APPROVE_ACCESS, can
from portal.selectors import access_request_list
from portal.service_errors import apply_errors


@login_required
def access_request_new(request):
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_request_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Your request was sent: you will receive an e-mail when it is decided.")
            )
            return redirect("access_request_list")
    return render(request, "portal/access/new.html", {"form": form})


@login_required
def access_request_list_view(request):
    requests = access_request_list(user=request.user)
    return render(
        request,
        "portal/access/list.html",
        {"requests": requests[:200], "approver": can(request.user, APPROVE_ACCESS)},
    )


@login_required
def access_request_detail(request, pk: int):
    access_request = get_object_or_404(access_request_list(user=request.user), pk=pk)
    approver = can(request.user, APPROVE_ACCESS)
    form = AccessDecisionForm(request.POST or None) if approver else None
    if request.method == "POST":
        if not approver:
            raise PermissionDenied
        if form.is_valid():
            try:
                access_request_decide(
                    actor=request.user,
                    request=access_request,
                    approve=form.cleaned_data["approve"],
                    reason=form.cleaned_data["decision_reason"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Decision recorded; the user has been told by e-mail."))
                return redirect("access_request_list")
    return render(request, "portal/access/detail.html", {"access_request": access_request, "form": form})
