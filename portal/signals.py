"""Authentication events go to the audit trail (they have no service of ours to call)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.audit import audit_record
from portal.permissions import primary_membership


def _organisation(user):
    membership = primary_membership(user)
    return membership.organisation if membership else None


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_record(action="auth.login", actor=user, organisation=_organisation(user), target=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", actor=user, organisation=_organisation(user), target=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    identifier = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    audit_record(action="auth.login_failed", after={"login": str(identifier)[:254]})
