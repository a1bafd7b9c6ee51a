"""The programme's structure: programme → axes → actions, and the budget chapters (capitoli)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.fields import MoneyField
from portal.models.base import TimeStampedModel


class Programme(TimeStampedModel):
    title = models.CharField(_("title"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    act_label = models.CharField(_("approving act"), max_length=100, help_text=_("e.g. DCR n. 89-19389"))
    act_number = models.CharField(_("act number"), max_length=50)
    act_date = models.DateField(_("act date"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))

    class Meta:
        ordering = ["-start_year", "title"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_years_in_order",
                violation_error_message=_("The last year cannot come before the first."),
            ),
            models.UniqueConstraint(
                fields=["act_number", "act_date"],
                name="%(app_label)s_%(class)s_unique_act",
                violation_error_message=_("A programme with this approving act already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start_year}-{self.end_year}"


class Axis(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="axes")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This programme already has an axis with this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Action(models.Model):
    """An action of the programme; it may have money on one or more chapter-years, or none."""

    axis = models.ForeignKey(Axis, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))

    class Meta:
        ordering = ["axis", "number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(
                fields=["axis", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This axis already has an action with this number."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_years_in_order",
                violation_error_message=_("The last year cannot come before the first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.axis.number}.{self.number} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.axis.number}.{self.number}"


chapter_number_validator = RegexValidator(r"^[0-9]{1,6}$", _("A chapter number has up to 6 digits."))


class BudgetChapter(TimeStampedModel):
    """Capitolo di bilancio for one financial year, with its appropriation (stanziamento)."""

    number = models.CharField(_("chapter"), max_length=6, validators=[chapter_number_validator])
    article = models.CharField(_("article"), max_length=4, blank=True)
    year = models.PositiveSmallIntegerField(_("financial year"))
    missione = models.CharField(_("missione"), max_length=2, validators=[RegexValidator(r"^[0-9]{2}$")])
    programma = models.CharField(
        _("programma"), max_length=5, validators=[RegexValidator(r"^[0-9]{2}\.[0-9]{2}$", _("Format 03.02"))]
    )
    titolo = models.CharField(_("titolo"), max_length=2, blank=True)
    macroaggregato = models.CharField(_("macroaggregato"), max_length=10, blank=True)
    chart_of_accounts = models.CharField(_("piano dei conti code"), max_length=30, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    appropriation = MoneyField(_("appropriation (stanziamento)"))
    # Running total of reservations, moved with F() under a row lock; the CHECK below is the backstop.
    reserved_total = MoneyField(_("reserved"), default=0, editable=False)

    class Meta:
        ordering = ["year", "number", "article"]
        verbose_name = _("budget chapter")
        verbose_name_plural = _("budget chapters")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number", "article"],
                name="%(app_label)s_%(class)s_unique_per_year",
                violation_error_message=_("This chapter already exists for this year."),
            ),
            models.CheckConstraint(
                condition=Q(appropriation__gte=0),
                name="%(app_label)s_%(class)s_appropriation_not_negative",
                violation_error_message=_("The appropriation cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(reserved_total__gte=0) & Q(reserved_total__lte=models.F("appropriation")),
                name="%(app_label)s_%(class)s_reserved_within_appropriation",
                violation_error_message=_("Reservations cannot exceed the appropriation."),
            ),
        ]

    def __str__(self) -> str:
        article = f"/{self.article}" if self.article else ""
        return f"{self.number}{article}/{self.year}"

    @property
    def unreserved(self):
        return self.appropriation - self.reserved_total
