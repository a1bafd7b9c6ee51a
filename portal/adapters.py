from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from portal.choices import Role

MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"


def email_signup_open() -> bool:
    """Self-registration by e-mail: closed by ACCOUNT_ALLOW_REGISTRATION=false, and when applicants
    may log in only with SPID or CIE (EMAIL_LOGIN_FOR_APPLICANTS=false)."""
    return settings.ACCOUNT_ALLOW_REGISTRATION and settings.EMAIL_LOGIN_FOR_APPLICANTS


def is_applicant_only(user) -> bool:
    """A person who is an applicant and nothing else (or not yet anything): the e-mail login setting
    applies to them; officials, auditors, administrators and the other roles keep their password."""
    if user.is_staff or user.is_superuser:
        return False
    roles = set(user.memberships.filter(is_active=True).values_list("role", flat=True))
    return roles <= {Role.APPLICANT}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return email_signup_open()

    def get_login_stages(self):
        # A SPID level-2 (or higher) or CIE login already counts as two factors: the TOTP stage is
        # replaced by one that lets such a login through (portal.saml.stages).
        return [
            "portal.saml.stages.AuthenticateStage" if stage == MFA_STAGE else stage
            for stage in super().get_login_stages()
        ]

    def pre_authenticate(self, request, **credentials):
        """A login refused because of too many failed attempts is a security event."""
        from django.core.exceptions import ValidationError

        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from portal.middleware import client_ip
            from portal.security import LOGIN_RATE_LIMITED, security_event

            login = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
            security_event(
                action=LOGIN_RATE_LIMITED,
                who=client_ip(request) or "",
                details={"login": str(login)[:254]},
            )
            raise
