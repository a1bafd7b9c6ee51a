from django.db import models
from django.utils.translation import gettext_lazy as _


class ActType(models.TextChoices):
    DCR = "dcr", _("Council deliberation (DCR)")
    DGR = "dgr", _("Executive deliberation (DGR)")
    DD = "dd", _("Executive decision (determinazione dirigenziale)")
    OTHER = "other", _("Other act")


class CommitmentStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional")
    DEFINITIVE = "definitive", _("Definitive")
    CANCELLED = "cancelled", _("Cancelled")


class LiquidationReason(models.TextChoices):
    """Causale of a liquidation."""

    ADVANCE = "acconto", _("Advance (acconto)")
    BALANCE = "saldo", _("Balance (saldo)")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    RANKED = "ranked", _("Ranked")
    AWARDED = "awarded", _("Awarded")
    CLOSED_OUT = "closed_out", _("Closed out")


# The only order a call may follow; each step goes to the next one (funding.services.calls).
CALL_STATUS_ORDER: tuple[str, ...] = tuple(CallStatus.values)


class AllocationMethod(models.TextChoices):
    POPULATION = "population", _("Proportional to population")
    DECLARED_WEIGHT = "declared_weight", _("Proportional to a declared weight")
    PERCENTAGE_CAPPED = "percentage_capped", _("Percentage of eligible expense, capped, ranked")
    FIXED = "fixed", _("Fixed amount per beneficiary")


class ApplicationForm(models.TextChoices):
    """Which extra data an application of the call carries."""

    GENERIC = "generic", _("Generic")
    DECLARED_WEIGHT = "declared_weight", _("Declared weight (e.g. officers in service)")
    TAXI_RECORDER = "taxi_recorder", _("Taxi in-cab event recorder")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ADMISSIBLE = "admissible", _("Admissible")
    INADMISSIBLE = "inadmissible", _("Inadmissible")
    RANKED = "ranked", _("Ranked")
    GRANTED = "granted", _("Granted")
    NOT_FUNDED = "not_funded", _("Not funded")
    REPORTING = "reporting", _("Reporting expenses")
    VERIFIED = "verified", _("Expenses verified")
    LIQUIDATED = "liquidated", _("Liquidated")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")


class DocumentType(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


class DocumentStage(models.TextChoices):
    APPLICATION = "application", _("With the application")
    REPORT = "report", _("With the expense report")


class AllocationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded")


class AllocationOutcome(models.TextChoices):
    FUNDED = "funded", _("Funded")
    PARTLY_FUNDED = "partly_funded", _("Partly funded")
    NOT_FUNDED = "not_funded", _("Not funded")


class AnnexStatus(models.TextChoices):
    """The PDFs of an adopted allocation's act (annex, ranking); blank while there is no act."""

    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Generated")
    FAILED = "failed", _("Failed")


class ExpenseReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    RETURNED = "returned", _("Returned for corrections")


class EligibleBasis(models.TextChoices):
    NET = "net", _("Net of VAT")
    GROSS = "gross", _("VAT included")
