"""Publication of grants under D.Lgs. 33/2013 art. 26-27 (a condition for the grant to take effect)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.models.ledger import Commitment


class GrantPublication(models.Model):
    """Records that a grant (a commitment to a beneficiary) was published, when and by whom."""

    commitment = models.OneToOneField(
        Commitment, on_delete=models.PROTECT, related_name="publication", verbose_name=_("grant")
    )
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("grant publication")
        verbose_name_plural = _("grant publications")

    def __str__(self) -> str:
        return f"{self.commitment_id} @ {self.published_at:%Y-%m-%d}"
