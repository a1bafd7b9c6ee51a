"""A first SPID/CIE login whose identity provider sent no e-mail address (CIE ID sends none): the
person gives one, opens the link sent to it in the same browser, and only then is the account created.
An address that already belongs to an account leads to proving that account is theirs instead."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.models import User
from portal.saml import services
from portal.saml.linking import PENDING_KEY, PENDING_SECONDS, identity_of, log_in, masked, pending_identity

TOKEN_SALT = "portal.saml.register"  # noqa: S105 - a signing namespace, not a secret


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy("The portal sends its notices there; we first check that it is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _pending(request):
    pending = pending_identity(request)
    if pending is None or pending["user"] is not None:
        messages.error(request, _("The SPID/CIE login has expired: start again."))
        return None
    return pending


@never_cache
@require_http_methods(["GET", "POST"])
def register_view(request):
    pending = _pending(request)
    if pending is None:
        return redirect("account_login")
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        existing = User.objects.filter(email__iexact=email, is_active=True).first()
        if existing is not None:
            pending["user"] = existing.pk
            request.session.modified = True
            messages.info(request, _("An account with this address exists: prove it is yours to link it."))
            return redirect("saml:link")
        token = signing.dumps({"e": email, "n": pending["nonce"]}, salt=TOKEN_SALT)
        url = request.build_absolute_uri(reverse("saml:register_confirm", args=[token]))
        send_mail(
            _("[Sentinella] Confirm your e-mail address"),
            _(
                "To finish your first login to Sentinella with SPID/CIE, open this link in the same "
                "browser within 15 minutes:\n\n%(url)s\n\nIf it was not you, ignore this message."
            )
            % {"url": url},
            None,
            [email],
        )
        messages.info(
            request, _("We sent a link to %(email)s: open it in this browser.") % {"email": masked(email)}
        )
        return redirect("saml:register")
    identity = identity_of(pending)
    return render(
        request,
        "portal/saml/register.html",
        {"form": form, "identity": identity},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def register_confirm_view(request, token: str):
    pending = _pending(request)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=PENDING_SECONDS)
    except signing.BadSignature:
        data = None
    if pending is None or data is None or data.get("n") != pending["nonce"]:
        messages.error(
            request, _("This link is not valid in this browser, or has expired: log in with SPID/CIE again.")
        )
        return redirect("account_login")
    if request.method == "GET":
        return render(request, "portal/saml/register_confirm.html", {"masked_email": masked(data["e"])})
    identity = replace(identity_of(pending), email=data["e"])
    try:
        user = services.saml_account_create(identity=identity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("account_login")
    finally:
        request.session.pop(PENDING_KEY, None)
    return log_in(request, user=user, identity=identity, kind=pending["kind"], next=pending["next"])
