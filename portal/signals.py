"""Authentication events go to the audit trail (they have no service of ours to call)."""

from allauth.mfa.signals import authentication_failed as mfa_authentication_failed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit import audit_record
from portal.permissions import primary_membership


def _organisation(user):
    membership = primary_membership(user)
    return membership.organisation if membership else None


def _login_method(request, user) -> dict:
    """How the person proved who they are: the method, SPID level and the number of factors."""
    from allauth.account.internal.flows.login import get_authentication_records

    from portal.saml.stages import counts_as_two_factors

    records = get_authentication_records(request, user) if request is not None else []
    saml = [record for record in records if record.get("method") == "saml"]
    totp = any(record.get("method") == "mfa" for record in records)
    if saml:
        last = saml[-1]
        level = int(last.get("level", 0))
        strong = counts_as_two_factors(level)
        return {
            "method": last.get("kind", "spid"),
            "idp": last.get("idp", ""),
            "level": level,
            "factors": 2 if strong or totp else 1,
        }
    return {"method": "password", "factors": 2 if totp else 1}


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_record(
        action="auth.login",
        actor=user,
        organisation=_organisation(user),
        target=user,
        after=_login_method(request, user),
    )


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", actor=user, organisation=_organisation(user), target=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    audit_record(action="auth.login_failed", after={"login": str(identifier)[:254]})


@receiver(mfa_authentication_failed)
def audit_mfa_failed(sender, request=None, authenticator=None, reauthentication=False, **kwargs):
    """A wrong TOTP (or recovery) code: a security event, under its own rate limit."""
    from portal.security import on_mfa_failed

    on_mfa_failed(sender, request=request, authenticator=authenticator, reauthentication=reauthentication)
