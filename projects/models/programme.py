"""EU funding programmes and their code lists (deliverable types, dissemination levels, cost
categories): data, not enums, loaded by a fixture and editable by an administrator."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.choices import CostKind, Visibility


class FundingProgramme(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    managing_body = models.CharField(_("managing body"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("EU funding programme")
        verbose_name_plural = _("EU funding programmes")

    def __str__(self) -> str:
        return self.name


class CodeListEntry(models.Model):
    """One entry of a programme's code list: unique code per programme, shown in `order`."""

    programme = models.ForeignKey(FundingProgramme, on_delete=models.PROTECT, verbose_name=_("programme"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["programme", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class DeliverableType(CodeListEntry):
    class Meta(CodeListEntry.Meta):
        default_related_name = "deliverable_types"
        verbose_name = _("deliverable type")
        verbose_name_plural = _("deliverable types")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("This programme already has a deliverable type with this code."),
            )
        ]


class DisseminationLevel(CodeListEntry):
    visibility = models.CharField(
        _("who sees the file"), max_length=16, choices=Visibility.choices, default=Visibility.CONSORTIUM
    )

    class Meta(CodeListEntry.Meta):
        default_related_name = "dissemination_levels"
        verbose_name = _("dissemination level")
        verbose_name_plural = _("dissemination levels")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("This programme already has a dissemination level with this code."),
            )
        ]


class CostCategory(CodeListEntry):
    kind = models.CharField(_("kind"), max_length=20, choices=CostKind.choices)
    flat_rate = models.DecimalField(
        _("flat rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("For a flat-rate category (indirect costs): the percentage of its base."),
    )
    in_flat_rate_base = models.BooleanField(
        _("in the flat-rate base"),
        default=False,
        help_text=_("Counted in the base of the programme's flat-rate categories (direct costs)."),
    )

    class Meta(CodeListEntry.Meta):
        default_related_name = "cost_categories"
        verbose_name = _("cost category")
        verbose_name_plural = _("cost categories")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("This programme already has a cost category with this code."),
            ),
            models.CheckConstraint(
                condition=Q(flat_rate__isnull=True) | (Q(flat_rate__gte=0) & Q(flat_rate__lte=100)),
                name="%(app_label)s_%(class)s_flat_rate_percentage",
                violation_error_message=_("A flat rate is a percentage between 0 and 100."),
            ),
        ]
