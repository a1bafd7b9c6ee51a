"""Access requests: a self-registered user asks to act for a taxi licence, a comune or another body."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.choices import OrganisationKind
from portal.models.reference import Comune
from portal.validators import validate_tax_code


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


REQUESTABLE_KINDS = [
    (OrganisationKind.TAXI_LICENSEE, OrganisationKind.TAXI_LICENSEE.label),
    (OrganisationKind.MUNICIPALITY, OrganisationKind.MUNICIPALITY.label),
    (OrganisationKind.OTHER, OrganisationKind.OTHER.label),
]


class AccessRequest(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    kind = models.CharField(_("I act for"), max_length=32, choices=REQUESTABLE_KINDS)
    organisation_name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Your full name for a taxi licence; the body's name for another body."),
    )
    tax_code = models.CharField(
        _("codice fiscale"), max_length=16, blank=True, validators=[validate_tax_code]
    )
    comune = models.ForeignKey(
        Comune, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("comune")
    )
    licence_number = models.CharField(_("taxi licence number"), max_length=20, blank=True)
    message = models.TextField(_("message for the Region"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    organisation = models.ForeignKey(
        "portal.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="access_requests"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status=AccessRequestStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending_per_user",
                violation_error_message=_("You already have a request waiting for a decision."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.get_kind_display()}"
