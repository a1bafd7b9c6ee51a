"""Allocations (riparti, graduatorie) and expense reports (rendicontazione)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from funding.acts import validate_act_number
from funding.choices import (
    AllocationMethod,
    AllocationOutcome,
    AllocationStatus,
    AnnexStatus,
    ExpenseReportStatus,
)
from funding.models.calls import Application, Call
from funding.models.ledger import Commitment, Liquidation
from portal.constants import MONEY_DECIMAL_PLACES
from portal.fields import MoneyField
from portal.models.base import TimeStampedModel
from portal.validators import validate_vat_number


class Allocation(TimeStampedModel):
    """A split of a call's money: first a proposal with every row and the rule applied, then adopted
    by an official with the act number and date (which writes the commitments). Inputs are stored so
    the split can be explained and re-run."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("call")
    )
    round = models.PositiveSmallIntegerField(
        _("round"), default=1, help_text=_("Scorrimento della graduatoria adds later rounds.")
    )
    method = models.CharField(_("method"), max_length=20, choices=AllocationMethod.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AllocationStatus.choices, default=AllocationStatus.PROPOSED
    )
    total = MoneyField(_("amount to split"))
    allocated_total = MoneyField(_("allocated"), default=0)
    inputs = models.JSONField(_("inputs"), help_text=_("Method, parameters, reference date and weights."))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("computed by"),
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adopted by"),
    )
    act_number = models.CharField(
        _("act number"), max_length=50, blank=True, validators=[validate_act_number]
    )
    act_date = models.DateField(_("act date"), null=True, blank=True)
    # The PDFs of the adopted act (the annex and, for a ranked call, the ranking), generated once
    # after adoption and then served from storage (funding/services/allocation/act_pdfs.py).
    annex_pdf = models.FileField(_("annex (PDF)"), upload_to="allocations/", blank=True, max_length=200)
    annex_sha256 = models.CharField(_("SHA-256 of the annex"), max_length=64, blank=True)
    ranking_pdf = models.FileField(_("ranking (PDF)"), upload_to="allocations/", blank=True, max_length=200)
    ranking_sha256 = models.CharField(_("SHA-256 of the ranking"), max_length=64, blank=True)
    annex_status = models.CharField(
        _("status of the act's PDFs"), max_length=10, choices=AnnexStatus.choices, blank=True, default=""
    )
    annex_error = models.CharField(_("why the act's PDFs failed"), max_length=500, blank=True)
    annex_attempts = models.PositiveSmallIntegerField(_("attempts at the act's PDFs"), default=0)
    # Queued or being generated: if not done by then, the clean-up sends the job again.
    annex_lease_until = models.DateTimeField(_("act's PDFs expected by"), null=True, blank=True)
    annex_generated_at = models.DateTimeField(_("act's PDFs generated at"), null=True, blank=True)

    class Meta:
        ordering = ["call", "-round", "-pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "round"],
                condition=Q(status=AllocationStatus.ADOPTED),
                name="%(app_label)s_%(class)s_one_adopted_per_round",
                violation_error_message=_("This round of the call already has an adopted allocation."),
            ),
            models.CheckConstraint(
                condition=Q(allocated_total__gte=0) & Q(allocated_total__lte=F("total")),
                name="%(app_label)s_%(class)s_allocated_within_total",
                violation_error_message=_("An allocation cannot allocate more than its total."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AllocationStatus.ADOPTED)
                | (~Q(act_number="") & Q(act_date__isnull=False)),
                name="%(app_label)s_%(class)s_adopted_has_act",
                violation_error_message=_("An adopted allocation needs the act number and date."),
            ),
            models.CheckConstraint(
                condition=~Q(annex_status=AnnexStatus.DONE) | (~Q(annex_pdf="") & ~Q(annex_sha256="")),
                name="%(app_label)s_%(class)s_annex_done_has_file",
                violation_error_message=_("Generated act PDFs need their file and its SHA-256."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {_('round')} {self.round} · {self.get_status_display()}"

    @property
    def inputs_summary(self) -> dict:
        """The inputs without the candidates (method, parameters, reference date, total): what the
        pages show. Selectors annotate it in SQL (InputsSummary) so the candidates' weights, 168 KB
        for the 1,181 comuni, are neither sent nor decoded."""
        annotated = self.__dict__.get("_inputs_summary", models.NOT_PROVIDED)
        if annotated is not models.NOT_PROVIDED:
            return annotated or {}
        return {key: value for key, value in (self.inputs or {}).items() if key != "candidates"}


class InputsSummary(models.Func):
    """`inputs` without its "candidates" key, computed by the database."""

    output_field = models.JSONField()

    def __init__(self, field: str = "inputs", **extra):
        super().__init__(models.F(field), **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - 'candidates')", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="json_remove(%(expressions)s, '$.candidates')", **extra
        )


class AllocationRow(models.Model):
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(_("position"))
    beneficiary = models.ForeignKey(
        "portal.Organisation", on_delete=models.PROTECT, related_name="allocation_rows"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="allocation_rows"
    )
    weight = models.DecimalField(_("weight"), max_digits=16, decimal_places=2)
    exact_quota = models.DecimalField(_("exact quota"), max_digits=20, decimal_places=6)
    requested = MoneyField(_("requested"), null=True, blank=True)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AllocationOutcome.choices, default=AllocationOutcome.FUNDED
    )
    rule = models.CharField(_("rule applied"), max_length=300, blank=True)
    # The rule is an English msgid with %(name)s placeholders, filled (and translated) at the edge.
    rule_params = models.JSONField(_("parameters of the rule"), default=dict, blank=True)
    # Scorrimento: what the application already had from earlier rounds; adoption commits the rest.
    granted_before = MoneyField(_("already granted"), default=0)
    commitment = models.OneToOneField(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocation_row"
    )

    class Meta:
        ordering = ["allocation", "position"]
        verbose_name = _("allocation row")
        verbose_name_plural = _("allocation rows")
        # A page of an allocation's rows in their order without sorting all of them (the COVID
        # split's 1,181 rows were joined and sorted for each page of 50: 6 ms, now under 1 ms).
        indexes = [models.Index(fields=["allocation", "position"], name="funding_allocrow_order_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "beneficiary"], name="%(app_label)s_%(class)s_one_per_beneficiary"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.beneficiary_id}: {self.amount}"


class ExpenseReport(TimeStampedModel):
    """Rendicontazione: the beneficiary's invoices, verified line by line by an official."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="expense_reports"
    )
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="expense_reports")
    status = models.CharField(
        _("status"), max_length=12, choices=ExpenseReportStatus.choices, default=ExpenseReportStatus.DRAFT
    )
    is_final = models.BooleanField(_("final report (saldo)"), default=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    eligible_total = MoneyField(_("eligible expense"), null=True, blank=True)
    payable_amount = MoneyField(_("payable amount"), null=True, blank=True)
    liquidation = models.OneToOneField(
        Liquidation, on_delete=models.PROTECT, null=True, blank=True, related_name="expense_report"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["commitment", "pk"]
        verbose_name = _("expense report")
        verbose_name_plural = _("expense reports")

    def __str__(self) -> str:
        label = _("Expense report")
        return f"{label} {self.pk} · {self.commitment_id}"


class ExpenseLine(models.Model):
    report = models.ForeignKey(ExpenseReport, on_delete=models.CASCADE, related_name="lines")
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_vat_number = models.CharField(
        _("supplier partita IVA"), max_length=11, validators=[validate_vat_number]
    )
    invoice_number = models.CharField(_("invoice number"), max_length=50)
    invoice_date = models.DateField(_("invoice date"))
    description = models.CharField(_("description"), max_length=300)
    net_amount = MoneyField(_("net"), validators=[MinValueValidator(0)])
    vat_amount = MoneyField(_("VAT"), validators=[MinValueValidator(0)])
    total_amount = MoneyField(_("total"), validators=[MinValueValidator(0)])
    eligible = models.BooleanField(_("eligible"), null=True, blank=True)
    ineligible_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["report", "invoice_date", "pk"]
        verbose_name = _("expense line")
        verbose_name_plural = _("expense lines")
        constraints = [
            models.CheckConstraint(
                # Rounded: SQLite adds decimals as doubles (100.10 + 22.02 = 122.12000000000002).
                condition=Q(total_amount=Round(F("net_amount") + F("vat_amount"), MONEY_DECIMAL_PLACES)),
                name="%(app_label)s_%(class)s_total_is_net_plus_vat",
                violation_error_message=_("The total must equal net plus VAT."),
            ),
            models.CheckConstraint(
                condition=Q(net_amount__gte=0) & Q(vat_amount__gte=0),
                name="%(app_label)s_%(class)s_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(eligible=False) | ~Q(ineligible_reason=""),
                name="%(app_label)s_%(class)s_ineligible_has_reason",
                violation_error_message=_("Say why a line is not eligible."),
            ),
            models.UniqueConstraint(
                fields=["report", "supplier_vat_number", "invoice_number"],
                name="%(app_label)s_%(class)s_invoice_once_per_report",
                violation_error_message=_("This invoice is already in the report."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name} {self.invoice_number}"
