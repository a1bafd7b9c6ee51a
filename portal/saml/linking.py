"""Finishing a SPID/CIE login: open the session, or first prove control of an existing account.

A valid SPID identity whose codice fiscale (or e-mail address) belongs to an account not yet linked
waits in the session; the person proves the account is theirs with its password or with a link sent
to its e-mail address, and only then is the account linked and opened.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict
from datetime import datetime

from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
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
from portal.saml.protocol import SamlIdentity

PENDING_KEY = "saml_pending"
SSO_KEY = "saml_sso"
PENDING_SECONDS = 15 * 60
MAX_PASSWORD_ATTEMPTS = 5
TOKEN_SALT = "portal.saml.link"  # noqa: S105 - a signing namespace, not a secret
ERROR_PASSWORD = gettext_lazy("This password is not the account's: try again, or ask for the e-mail link.")


class ProofPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password of the existing account"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def log_in(request, *, user: User, identity: SamlIdentity, kind: str, next: str):
    """Open the session through allauth's login stages: TOTP is still asked after a level-1 login of
    an official, auditor or administrator; level 2 and above count as two factors."""
    request.session[SSO_KEY] = {
        "user": user.pk,
        "idp": identity.idp,
        "kind": kind,
        "level": identity.level,
        "name_id": identity.name_id,
        "session_index": identity.session_index,
    }
    record_authentication(request, user, method="saml", kind=kind, idp=identity.idp, level=identity.level)
    login = Login(user=user, redirect_url=next, email_verification=EmailVerificationMethod.NONE)
    return perform_login(request, login)


def stash_pending(request, *, identity: SamlIdentity, user: User | None, kind: str, next: str) -> None:
    """Keep a valid identity in the session while the person proves an account is theirs (user) or,
    with no account and no e-mail address from the identity provider, gives and confirms one (None)."""
    data = asdict(identity)
    data["valid_until"] = identity.valid_until.isoformat()
    request.session[PENDING_KEY] = {
        "identity": data,
        "user": user.pk if user else None,
        "kind": kind,
        "next": next,
        "nonce": secrets.token_urlsafe(16),
        "at": time.time(),
        "attempts": 0,
    }


def _pending(request):
    pending = pending_identity(request)
    if pending is None or pending["user"] is None:
        return None, None, None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None, None
    return pending, identity_of(pending), user


def pending_identity(request) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return pending


def identity_of(pending: dict) -> SamlIdentity:
    data = dict(pending["identity"], valid_until=datetime.fromisoformat(pending["identity"]["valid_until"]))
    return SamlIdentity(**data)


def masked(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _finish(request, pending, identity, user, proof):
    try:
        user = services.saml_account_link(user=user, identity=identity, proof=proof)
    except ValidationError as error:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, " ".join(error.messages))
        return redirect("account_login")
    request.session.pop(PENDING_KEY, None)
    messages.success(request, _("SPID/CIE is now linked to your account."))
    return log_in(request, user=user, identity=identity, kind=pending["kind"], next=pending["next"])


@never_cache
@require_http_methods(["GET", "POST"])
def link_view(request):
    pending, identity, user = _pending(request)
    if pending is None:
        messages.error(request, _("The SPID/CIE login to link has expired: start again."))
        return redirect("account_login")
    form = ProofPasswordForm()
    action = request.POST.get("action")
    if action == "cancel":
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Nothing was linked."))
        return redirect("account_login")
    if action == "email":
        token = signing.dumps({"u": user.pk, "n": pending["nonce"]}, salt=TOKEN_SALT)
        url = request.build_absolute_uri(reverse("saml:link_by_email", args=[token]))
        send_mail(
            _("[Sentinella] Link SPID/CIE to your account"),
            _(
                "Someone who logged in with SPID/CIE as %(name)s asked to link that identity to this "
                "account. If it was you, open this link in the same browser within 15 minutes:\n\n%(url)s\n\n"
                "If it was not you, ignore this message: nothing will change."
            )
            % {"name": f"{identity.first_name} {identity.last_name}".strip(), "url": url},
            None,
            [user.email],
        )
        messages.info(
            request,
            _("We sent a link to %(email)s: open it in this browser.") % {"email": masked(user.email)},
        )
        return redirect("saml:link")
    if action == "password":
        form = ProofPasswordForm(request.POST)
        if form.is_valid():
            if authenticate(request, email=user.email, password=form.cleaned_data["password"]) == user:
                return _finish(request, pending, identity, user, "password")
            pending["attempts"] += 1
            request.session.modified = True
            if pending["attempts"] >= MAX_PASSWORD_ATTEMPTS:
                request.session.pop(PENDING_KEY, None)
                messages.error(request, _("Too many wrong passwords: nothing was linked."))
                return redirect("account_login")
            form.add_error("password", ERROR_PASSWORD)
    context = {"form": form, "masked_email": masked(user.email), "identity": identity}
    return render(
        request,
        "portal/saml/link.html",
        context,
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def link_by_email_view(request, token: str):
    pending, identity, user = _pending(request)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=PENDING_SECONDS)
    except signing.BadSignature:
        data = None
    if pending is None or data is None or data != {"u": user.pk, "n": pending["nonce"]}:
        messages.error(
            request,
            _("This link is not valid in this browser, or has expired: log in with SPID/CIE again."),
        )
        return redirect("account_login")
    if request.method == "POST":
        return _finish(request, pending, identity, user, "email")
    return render(
        request, "portal/saml/link_confirm.html", {"masked_email": masked(user.email), "identity": identity}
    )
