"""The periodic report of a reporting period: actual costs (expenditure lines), actual effort,
each work package's progress and the justification of each late item."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.fields import MoneyField
from projects.choices import Achievement, ReportStatus
from projects.models.programme import CostCategory
from projects.models.project import Partner, ReportingPeriod
from projects.models.workplan import PERSON_MONTHS, Deliverable, Milestone, WorkPackage


class PeriodicReport(models.Model):
    period = models.OneToOneField(ReportingPeriod, on_delete=models.CASCADE, related_name="report")
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    summary = models.TextField(_("summary of the work done"), blank=True)
    locked_on = models.DateField(_("locked on"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["period"]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.SUBMITTED) | Q(submitted_on__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_date",
                violation_error_message=_("A submitted report has its submission date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.project} {self.period}"


class ExpenditureLine(models.Model):
    """An actual cost of a partner in a period: the invoice, the supplier, the amount and its category."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.PROTECT, related_name="expenditure_lines")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="expenditure_lines")
    category = models.ForeignKey(
        CostCategory, on_delete=models.PROTECT, related_name="expenditure_lines", verbose_name=_("category")
    )
    invoice_number = models.CharField(_("invoice number"), max_length=60)
    invoice_date = models.DateField(_("invoice date"))
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_vat_id = models.CharField(
        _("supplier's partita IVA or VAT id"),
        max_length=20,
        blank=True,
        help_text=_("11 digits for an Italian supplier; the EU VAT id with its country prefix otherwise."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = MoneyField(_("eligible amount (net of VAT)"))
    vat = MoneyField(_("VAT"), default=0)
    equipment_description = models.CharField(
        _("equipment bought"),
        max_length=200,
        blank=True,
        help_text=_("For equipment: what was bought (the inventory links the devices to this line)."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["report", "partner", "invoice_date", "pk"]
        verbose_name = _("expenditure line")
        verbose_name_plural = _("expenditure lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("The amount must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(vat__gte=0),
                name="%(app_label)s_%(class)s_vat_not_negative",
                violation_error_message=_("VAT cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["partner", "supplier_vat_id", "invoice_number", "category"],
                name="%(app_label)s_%(class)s_unique_invoice",
                violation_error_message=_(
                    "This invoice of this supplier is already declared by the partner in this category."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number} · {self.supplier_name} · {self.amount}"


class ActualEffort(models.Model):
    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="actual_efforts")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="actual_efforts")
    work_package = models.ForeignKey(WorkPackage, on_delete=models.PROTECT, related_name="actual_efforts")
    person_months = models.DecimalField(_("person-months"), **PERSON_MONTHS)

    class Meta:
        ordering = ["report", "work_package", "partner"]
        verbose_name = _("actual effort")
        verbose_name_plural = _("actual efforts")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "partner", "work_package"],
                name="%(app_label)s_%(class)s_unique_cell",
                violation_error_message=_("This partner already declared effort on this work package."),
            ),
            models.CheckConstraint(
                condition=Q(person_months__gte=0),
                name="%(app_label)s_%(class)s_not_negative",
                violation_error_message=_("Person-months cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_package} · {self.partner}: {self.person_months}"


class WorkPackageProgress(models.Model):
    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="progress")
    work_package = models.ForeignKey(WorkPackage, on_delete=models.PROTECT, related_name="progress")
    achievement = models.CharField(_("objectives"), max_length=8, choices=Achievement.choices)
    text = models.TextField(_("progress"))

    class Meta:
        ordering = ["report", "work_package__number"]
        verbose_name = _("work package progress")
        verbose_name_plural = _("work package progress")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "work_package"],
                name="%(app_label)s_%(class)s_unique_wp",
                violation_error_message=_("This work package already has its progress in the report."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_package}: {self.get_achievement_display()}"


class LateJustification(models.Model):
    """Why a deliverable or milestone of the period is late: required before the report is locked."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="justifications")
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, null=True, blank=True)
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, null=True, blank=True)
    text = models.TextField(_("justification"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("late justification")
        verbose_name_plural = _("late justifications")
        constraints = [
            models.CheckConstraint(
                condition=(Q(deliverable__isnull=False) & Q(milestone__isnull=True))
                | (Q(deliverable__isnull=True) & Q(milestone__isnull=False)),
                name="%(app_label)s_%(class)s_one_item",
                violation_error_message=_("A justification is about one deliverable or one milestone."),
            ),
            models.UniqueConstraint(
                fields=["report", "deliverable"],
                condition=Q(deliverable__isnull=False),
                name="%(app_label)s_%(class)s_unique_deliverable",
                violation_error_message=_("This deliverable is already justified in the report."),
            ),
            models.UniqueConstraint(
                fields=["report", "milestone"],
                condition=Q(milestone__isnull=False),
                name="%(app_label)s_%(class)s_unique_milestone",
                violation_error_message=_("This milestone is already justified in the report."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.deliverable or self.milestone)
