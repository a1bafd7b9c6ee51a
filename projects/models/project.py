"""Projects, their partners, reporting periods and the partners' planned budget."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.fields import MoneyField
from projects.choices import PartnerRole, ProjectStatus
from projects.models.programme import CostCategory, FundingProgramme
from projects.months import month_end, month_start

MAX_DURATION_MONTHS = 120
REPORT_DUE_DAYS = 60  # a periodic report is due 60 days after its period ends

acronym_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 ._&+-]{0,39}$",
    _("An acronym has up to 40 letters, digits, spaces and . _ & + -, starting with a letter or digit."),
)


class Project(models.Model):
    acronym = models.CharField(_("acronym"), max_length=40, unique=True, validators=[acronym_validator])
    title = models.CharField(_("title"), max_length=300)
    programme = models.ForeignKey(
        FundingProgramme, on_delete=models.PROTECT, related_name="projects", verbose_name=_("programme")
    )
    grant_agreement_number = models.CharField(_("grant agreement number"), max_length=30, blank=True)
    call_topic = models.CharField(_("call / topic"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MONTHS)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PREPARATION
    )
    total_eligible_cost = MoneyField(_("total eligible cost"), default=0)
    eu_contribution = MoneyField(_("EU contribution"), default=0)
    funding_rate = models.DecimalField(
        _("funding rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("public web site"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("EU project")
        verbose_name_plural = _("EU projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_months__gte=1) & Q(duration_months__lte=MAX_DURATION_MONTHS),
                name="%(app_label)s_%(class)s_duration_range",
                violation_error_message=_("A project lasts from 1 to 120 months."),
            ),
            models.CheckConstraint(
                condition=Q(total_eligible_cost__gte=0) & Q(eu_contribution__gte=0),
                name="%(app_label)s_%(class)s_money_not_negative",
                violation_error_message=_("Costs and contributions cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(eu_contribution__lte=F("total_eligible_cost")),
                name="%(app_label)s_%(class)s_contribution_within_cost",
                violation_error_message=_("The EU contribution cannot exceed the total eligible cost."),
            ),
            models.CheckConstraint(
                condition=Q(funding_rate__gte=0) & Q(funding_rate__lte=100),
                name="%(app_label)s_%(class)s_funding_rate_percentage",
                violation_error_message=_("The funding rate is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.acronym

    @property
    def end_date(self) -> datetime.date | None:
        if not (self.start_date and self.duration_months):
            return None
        return month_end(self.start_date, self.duration_months)

    def month_start(self, month: int) -> datetime.date:
        return month_start(self.start_date, month)

    def month_end(self, month: int) -> datetime.date:
        return month_end(self.start_date, month)


pic_validator = RegexValidator(r"^[0-9]{9}$", _("A PIC (Participant Identification Code) is 9 digits."))


class Partner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="project_partnerships",
        verbose_name=_("organisation"),
    )
    number = models.PositiveSmallIntegerField(_("partner number"))
    short_name = models.CharField(_("short name"), max_length=20)
    role = models.CharField(_("role"), max_length=16, choices=PartnerRole.choices)

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"],
                name="%(app_label)s_%(class)s_unique_organisation",
                violation_error_message=_("This organisation is already a partner of the project."),
            ),
            models.UniqueConstraint(
                fields=["project", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("Another partner of the project has this number."),
            ),
            models.UniqueConstraint(
                fields=["project", "short_name"],
                name="%(app_label)s_%(class)s_unique_short_name",
                violation_error_message=_("Another partner of the project has this short name."),
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(role=PartnerRole.COORDINATOR),
                name="%(app_label)s_%(class)s_one_coordinator",
                violation_error_message=_("A project has one coordinator."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message=_("Partner numbers start at 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.short_name}"


class ReportingPeriod(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField(_("number"))
    start_month = models.PositiveSmallIntegerField(_("start month"))
    end_month = models.PositiveSmallIntegerField(_("end month"))

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("The project already has a reporting period with this number."),
            ),
            models.CheckConstraint(
                condition=Q(start_month__gte=1) & Q(end_month__gte=F("start_month")),
                name="%(app_label)s_%(class)s_months_ordered",
                violation_error_message=_("A period starts in month 1 or later and ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"RP{self.number}"

    @property
    def start_date(self) -> datetime.date:
        return self.project.month_start(self.start_month)

    @property
    def end_date(self) -> datetime.date:
        return self.project.month_end(self.end_month)

    @property
    def report_due_date(self) -> datetime.date:
        return self.end_date + datetime.timedelta(days=REPORT_DUE_DAYS)


class BudgetLine(models.Model):
    """The planned budget of a partner in one cost category and one reporting period."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.ForeignKey(
        CostCategory, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("cost category")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("period")
    )
    amount = MoneyField(_("planned amount"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partner", "period", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "category", "period"],
                name="%(app_label)s_%(class)s_unique_cell",
                violation_error_message=_("This partner already has an amount for this category and period."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message=_("A planned amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.category.code} · {self.period}"
