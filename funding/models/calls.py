"""Calls for contributions (avvisi), their required documents, applications and uploaded documents."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.choices import (
    AllocationMethod,
    ApplicationForm,
    ApplicationStatus,
    CallStatus,
    DocumentStage,
    EligibleBasis,
)
from funding.models.ledger import Commitment, Reservation
from funding.models.programme import Action
from portal.fields import MoneyField
from portal.models.base import TimeStampedModel


class Call(TimeStampedModel):
    """Avviso: what is funded, with which money, for whom, until when, and how it is split."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, related_name="calls", verbose_name=_("action")
    )
    reservation = models.ForeignKey(
        Reservation, on_delete=models.PROTECT, related_name="calls", verbose_name=_("reservation")
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    legal_references = models.TextField(_("legal references"), blank=True)
    responsible_office = models.CharField(_("responsible office"), max_length=200, blank=True)
    responsible_official = models.CharField(_("responsible official"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    requires_application = models.BooleanField(
        _("requires an application"),
        default=True,
        help_text=_("A population split needs no application: every comune is a beneficiary."),
    )
    application_form = models.CharField(
        _("application data"), max_length=20, choices=ApplicationForm.choices, default=ApplicationForm.GENERIC
    )
    eligible_kinds = models.JSONField(
        _("eligible applicant kinds"),
        default=list,
        blank=True,
        help_text=_("Organisation kinds that may apply; empty means only the listed organisations."),
    )
    eligible_organisations = models.ManyToManyField(
        "portal.Organisation",
        blank=True,
        related_name="eligible_calls",
        verbose_name=_("eligible organisations"),
    )
    allocation_method = models.CharField(
        _("allocation method"), max_length=20, choices=AllocationMethod.choices
    )
    allocation_params = models.JSONField(
        _("allocation parameters"),
        default=dict,
        blank=True,
        help_text=_("Percentage, cap, ranking criterion, partial funding of the last, fixed amount..."),
    )
    reference_date = models.DateField(_("population reference date"), null=True, blank=True)
    eligible_basis = models.CharField(
        _("eligible expense"), max_length=8, choices=EligibleBasis.choices, default=EligibleBasis.GROSS
    )
    weight_label = models.CharField(
        _("declared weight label"), max_length=100, blank=True, help_text=_("e.g. officers in service")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "title"]
        verbose_name = _("call (avviso)")
        verbose_name_plural = _("calls (avvisi)")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="%(app_label)s_%(class)s_closes_after_opening",
                violation_error_message=_("The call must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RequiredDocument(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="required_documents")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    accepted_types = models.JSONField(_("accepted types"), default=list, help_text=_("pdf, jpeg, png"))
    stage = models.CharField(
        _("stage"), max_length=16, choices=DocumentStage.choices, default=DocumentStage.APPLICATION
    )

    class Meta:
        ordering = ["call", "stage", "pk"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("This call already requires a document with this code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


plate_validator = RegexValidator(r"^[A-Z]{2}[0-9]{3}[A-Z]{2}$", _("An Italian plate looks like AB123CD."))


class Application(TimeStampedModel):
    """Domanda: an organisation applies to a call; its life is a sequence of audited transitions."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    applicant = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    protocol_number = models.CharField(_("protocol number"), max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Declared weight (e.g. officers in service) for calls split by a declared number.
    declared_weight = models.PositiveIntegerField(_("declared weight"), null=True, blank=True)
    # Taxi in-cab event recorder.
    licence_number = models.CharField(_("taxi licence number"), max_length=20, blank=True)
    vehicle_plate = models.CharField(
        _("vehicle plate"), max_length=10, blank=True, validators=[plate_validator]
    )
    recorder_make = models.CharField(_("recorder make"), max_length=100, blank=True)
    recorder_model = models.CharField(_("recorder model"), max_length=100, blank=True)
    conformity_standard = models.CharField(
        _("conformity standard"), max_length=100, blank=True, help_text=_("CEI, UNI, EN or equivalent")
    )
    quote_net = MoneyField(_("quote, net of VAT"), null=True, blank=True, validators=[MinValueValidator(0)])
    quote_vat = MoneyField(_("quote, VAT"), null=True, blank=True, validators=[MinValueValidator(0)])
    # Review.
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    granted_amount = MoneyField(_("granted amount"), null=True, blank=True)
    commitment = models.OneToOneField(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["call", "submitted_at", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        # One page of the review queue (oldest submitted first) and of the list (newest first) read
        # in index order instead of sorting every application (issue 14: 10,000 in the benchmark).
        indexes = [
            models.Index(fields=["status", "submitted_at", "id"], name="funding_app_queue_idx"),
            models.Index(fields=["-created_at", "-id"], name="funding_app_newest_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "applicant"],
                condition=~Q(status__in=[ApplicationStatus.WITHDRAWN]),
                name="%(app_label)s_%(class)s_one_per_applicant",
                violation_error_message=_("This organisation already has an application for this call."),
            ),
            models.UniqueConstraint(
                fields=["call", "protocol_number"],
                condition=~Q(protocol_number=""),
                name="%(app_label)s_%(class)s_unique_protocol",
            ),
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__gte=0),
                name="%(app_label)s_%(class)s_granted_not_negative",
                violation_error_message=_("The granted amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_number or _('Draft')} · {self.applicant}"


def document_upload_to(instance, filename: str) -> str:
    """Random names on storage: the original (sanitised) name is kept in the row, never in a URL."""
    if instance.application_id:
        return f"documents/{instance.application_id}/{uuid.uuid4().hex}"
    return f"documents/grants/{instance.expense_line.report.commitment_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A checked upload: of an application, or of an expense line (a grant without an application,
    such as a comune's share of a population split, keeps its invoices on the line only)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    required_document = models.ForeignKey(
        RequiredDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    expense_line = models.ForeignKey(
        "funding.ExpenseLine", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    is_current = models.BooleanField(_("current version"), default=True)

    class Meta:
        ordering = ["application", "-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False) | Q(expense_line__isnull=False),
                name="%(app_label)s_%(class)s_of_an_application_or_a_line",
                violation_error_message=_("A document belongs to an application or to an expense line."),
            )
        ]

    def __str__(self) -> str:
        return self.original_name
