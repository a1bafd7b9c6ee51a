from django import template
from django.conf import settings

from portal.saml.conf import cie_enabled, spid_enabled
from portal.saml.providers import cie_provider, spid_providers

register = template.Library()


@register.inclusion_tag("portal/saml/buttons.html", takes_context=True)
def saml_buttons(context, next_url=""):
    """ "Entra con SPID" (with its list of providers, in random order) and "Entra con CIE", each shown
    only once configured (the SP's key pair and the providers' metadata files)."""
    return {
        "spid_providers": spid_providers(shuffled=True) if spid_enabled() else [],
        "cie": cie_provider() if cie_enabled() else None,
        "next_url": next_url,
        "email_login_for_applicants": settings.EMAIL_LOGIN_FOR_APPLICANTS,
    }


@register.simple_tag
def email_signup_open():
    from portal.adapters import email_signup_open

    return email_signup_open()
