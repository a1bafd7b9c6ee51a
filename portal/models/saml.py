"""SAML assertions already consumed: each is accepted once (replay protection)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SamlAssertion(models.Model):
    """An assertion's ID, kept until its validity ends; the unique constraint refuses a second use,
    even from two requests at the same moment."""

    assertion_id = models.CharField(_("assertion id"), max_length=255)
    idp = models.CharField(_("identity provider"), max_length=255)
    valid_until = models.DateTimeField(_("valid until"), db_index=True)
    used_at = models.DateTimeField(_("used at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SAML assertion used")
        verbose_name_plural = _("SAML assertions used")
        constraints = [
            models.UniqueConstraint(
                fields=["assertion_id"],
                name="%(app_label)s_%(class)s_used_once",
                violation_error_message=_("This assertion has already been used."),
            )
        ]

    def __str__(self) -> str:
        return self.assertion_id
