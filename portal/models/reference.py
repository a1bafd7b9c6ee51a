"""Reference data: provinces, comuni and their resident population by reference date (ISTAT)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

istat_code_validator = RegexValidator(r"^[0-9]{6}$", _("An ISTAT code is exactly 6 digits, e.g. 001272."))


class Province(models.Model):
    code = models.CharField(_("ISTAT code"), max_length=3, unique=True)
    sigla = models.CharField(_("abbreviation"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return f"{self.name} ({self.sigla})"


class Comune(models.Model):
    istat_code = models.CharField(
        _("ISTAT code"), max_length=6, unique=True, validators=[istat_code_validator]
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    cadastral_code = models.CharField(_("cadastral code"), max_length=4, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="comuni")
    is_provincial_capital = models.BooleanField(_("provincial capital"), default=False)

    class Meta:
        ordering = ["istat_code"]
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(istat_code__regex=r"^[0-9]{6}$"),
                name="%(app_label)s_%(class)s_istat_code_six_digits",
                violation_error_message=_("An ISTAT code is exactly 6 digits."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ComunePopulation(models.Model):
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="populations")
    reference_date = models.DateField(_("reference date"))
    population = models.PositiveIntegerField(_("resident population"))

    class Meta:
        ordering = ["comune", "reference_date"]
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        constraints = [
            models.UniqueConstraint(
                fields=["comune", "reference_date"],
                name="%(app_label)s_%(class)s_one_per_date",
                violation_error_message=_("A comune has one population figure per reference date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.comune} {self.reference_date}: {self.population}"
