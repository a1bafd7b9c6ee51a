"""The account's API tokens: list, create (the key is shown once), revoke."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.middleware import client_ip
from portal.tokens import (
    api_token_create,
    api_token_list,
    api_token_revoke,
    session_passed_totp,
    token_requires_totp,
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"), max_length=100, help_text=_("What it is for, e.g. “export script”.")
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request):
    user = request.user
    needs_totp = token_requires_totp(user)
    passed_totp = session_passed_totp(request)
    form = TokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = api_token_create(
                actor=user, name=form.cleaned_data["name"], passed_totp=passed_totp, ip=client_ip(request)
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or gettext("You may not create API tokens."))
            status = 403
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status = 400
        else:
            messages.success(request, gettext("Token “%(name)s” created.") % {"name": token.name})
            form = TokenForm()
    elif form.errors:
        status = 400
    return render(
        request,
        "portal/tokens.html",
        {
            "tokens": api_token_list(user=user),
            "form": form,
            "new_key": new_key,
            "may_create": passed_totp or not needs_totp,
            "settings_days": settings.API_TOKEN_DAYS,
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(api_token_list(user=request.user), pk=pk)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, gettext("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")
