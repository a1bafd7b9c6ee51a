"""allauth's TOTP login stage, skipped when the login came from SPID level 2+ or CIE level 2+."""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.stages import AuthenticateStage as TotpStage


def saml_level(request, user) -> int:
    """The SPID level of this session's SAML login of `user` (0 when it logged in otherwise)."""
    levels = [
        int(record.get("level", 0))
        for record in get_authentication_records(request, user)
        if record.get("method") == "saml"
    ]
    return max(levels, default=0)


def counts_as_two_factors(level: int) -> bool:
    return level >= 2


class AuthenticateStage(TotpStage):
    def _should_handle(self, request) -> bool:
        if self.login.user is not None and counts_as_two_factors(saml_level(request, self.login.user)):
            return False
        return super()._should_handle(request)
