from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    PREPARATION = "preparation", _("In preparation")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class PartnerRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    BENEFICIARY = "beneficiary", _("Beneficiary")
    AFFILIATED = "affiliated", _("Affiliated entity")
    ASSOCIATED = "associated", _("Associated partner")


class CostKind(models.TextChoices):
    """What a programme's cost category is, whatever the programme calls it: the budget screens and the
    inventory (equipment lines) rely on the kind, never on the programme's own code."""

    PERSONNEL = "personnel", _("Personnel / staff")
    SUBCONTRACTING = "subcontracting", _("Subcontracting")
    TRAVEL = "travel", _("Travel and subsistence")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER_GOODS = "other_goods", _("Other goods, works and services")
    EXPERTISE = "expertise", _("External expertise and services")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and works")
    OFFICE = "office", _("Office and administration")
    OTHER = "other", _("Other direct costs")
    INDIRECT = "indirect", _("Indirect costs")


class Visibility(models.TextChoices):
    """Who sees a deliverable's file, decided by its dissemination level."""

    PUBLIC = "public", _("Public: on the project's public page once accepted")
    CONSORTIUM = "consortium", _("Consortium: partners, officials and auditors")
    CLASSIFIED = "classified", _("EU classified: metadata only, the file is held elsewhere")


class DeliverableStatus(models.TextChoices):
    PREPARATION = "preparation", _("In preparation")
    INTERNAL_REVIEW = "internal_review", _("Internal review")
    PENDING = "pending", _("Pending")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")


# Statuses in which a deliverable still has to be delivered (it can be overdue).
OPEN_DELIVERABLE_STATUSES = frozenset(
    {
        DeliverableStatus.PREPARATION,
        DeliverableStatus.INTERNAL_REVIEW,
        DeliverableStatus.PENDING,
        DeliverableStatus.DRAFT,
    }
)


class DeliverableEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REVIEW_REQUESTED = "review_requested", _("Internal review requested")
    REVIEW_APPROVED = "review_approved", _("Internal review approved")
    REVIEW_RETURNED = "review_returned", _("Sent back by the internal reviewer")
    FILE_UPLOADED = "file_uploaded", _("File uploaded")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    DUE_DATE_MOVED = "due_date_moved", _("Due date moved")
    HELD_AT_RECORDED = "held_at_recorded", _("Place of custody recorded")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LOCKED = "locked", _("Locked for review")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")


class Achievement(models.TextChoices):
    FULLY = "fully", _("Fully achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT = "not", _("Not achieved")


class ReminderKind(models.TextChoices):
    DUE_30 = "due_30", _("Due in 30 days")
    DUE_7 = "due_7", _("Due in 7 days")
    MISSED = "missed", _("Missed yesterday")
