"""Accounts behind a SPID or CIE login: consume the assertion once, then find, create or link the
account by codice fiscale. An existing account is linked only after proof that it is the person's
(its password, a link sent to its e-mail address, or being logged into it); never by e-mail alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import audit_record
from portal.models import SamlAssertion, User
from portal.saml.protocol import ERROR_REPLAYED, SamlIdentity, SamlRefused

ERROR_NO_EMAIL = _(
    "The identity provider sent no e-mail address, which the portal needs for its notices: "
    "add one to your digital identity, or register with e-mail and link SPID afterwards."
)
ERROR_TAX_CODE_TAKEN = _("Another account is already linked to this codice fiscale: contact the Region.")
ERROR_OTHER_TAX_CODE = _("This account belongs to a different codice fiscale: it cannot be linked.")

Proof = Literal["password", "email", "session"]


@dataclass(frozen=True)
class Resolution:
    """What a valid login leads to: open an account, prove control of one, or create one."""

    action: Literal["login", "prove", "create"]
    user: User | None = None


def saml_assertion_check_unused(*, assertion_id: str) -> None:
    """Refuse at once an answer whose assertion was already consumed (before its other checks)."""
    if assertion_id and SamlAssertion.objects.filter(assertion_id=assertion_id).exists():
        raise SamlRefused("replayed", ERROR_REPLAYED)


def saml_assertion_consume(*, identity: SamlIdentity) -> None:
    """Accept an assertion once; a second use (even concurrent) is refused."""
    try:
        with transaction.atomic():
            SamlAssertion.objects.create(
                assertion_id=identity.assertion_id, idp=identity.idp, valid_until=identity.valid_until
            )
    except IntegrityError as exc:
        raise SamlRefused("replayed", ERROR_REPLAYED) from exc
    # Past its validity an assertion is refused anyway: its ID need not be kept.
    SamlAssertion.objects.filter(valid_until__lt=timezone.now() - timezone.timedelta(hours=1)).delete()


def saml_account_resolve(*, identity: SamlIdentity) -> Resolution:
    user = User.objects.filter(tax_code=identity.fiscal_number).first()
    if user is not None:
        return Resolution("login" if user.saml_linked_at else "prove", user)
    if identity.email:
        by_email = User.objects.filter(email__iexact=identity.email).first()
        if by_email is not None:
            return Resolution("prove", by_email)
    return Resolution("create")


def saml_account_create(*, identity: SamlIdentity) -> User:
    """A new account with no organisation (then the access-request flow) and no password."""
    if not identity.email:
        raise ValidationError({"email": ERROR_NO_EMAIL})
    with transaction.atomic():
        user = User(
            email=identity.email,
            first_name=identity.first_name,
            last_name=identity.last_name,
            tax_code=identity.fiscal_number,
            saml_linked_at=timezone.now(),
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            raise ValidationError({"tax_code": ERROR_TAX_CODE_TAKEN}) from exc
        # The identity provider checked the address when it issued the identity.
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        audit_record(
            action="auth.saml_account_created",
            actor=user,
            target=user,
            after={"idp": identity.idp, "level": identity.level, "tax_code": user.tax_code},
        )
    return user


def saml_account_link(*, user: User, identity: SamlIdentity, proof: Proof) -> User:
    """Link `user` to the SPID/CIE identity once its control has been proven by `proof`."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.tax_code and user.tax_code != identity.fiscal_number:
            raise ValidationError({"tax_code": ERROR_OTHER_TAX_CODE})
        taken = User.objects.filter(tax_code=identity.fiscal_number).exclude(pk=user.pk).exists()
        if taken:
            raise ValidationError({"tax_code": ERROR_TAX_CODE_TAKEN})
        before = {"tax_code": user.tax_code, "saml_linked_at": user.saml_linked_at}
        user.tax_code = identity.fiscal_number
        user.saml_linked_at = timezone.now()
        if not user.first_name and not user.last_name:
            user.first_name, user.last_name = identity.first_name, identity.last_name
        user.save(update_fields=["tax_code", "saml_linked_at", "first_name", "last_name"])
        audit_record(
            action="auth.saml_linked",
            actor=user,
            target=user,
            before=before,
            after={
                "tax_code": user.tax_code,
                "saml_linked_at": user.saml_linked_at,
                "proof": proof,
                "idp": identity.idp,
                "level": identity.level,
            },
        )
    return user


def saml_account_link_by_session(*, user_id: int, identity: SamlIdentity) -> User:
    """The person started the login while logged into the account: that session is the proof."""
    return saml_account_link(user=User.objects.get(pk=user_id), identity=identity, proof="session")
