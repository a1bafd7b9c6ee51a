"""The work plan: work packages, tasks, planned effort, deliverables (with their timeline and file
versions) and milestones. Codes (WP<n>, T<wp>.<n>, D<wp>.<n>, MS<n>) are unique per project."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.base import AppendOnlyModel
from projects.choices import OPEN_DELIVERABLE_STATUSES, DeliverableEventKind, DeliverableStatus
from projects.models.programme import DeliverableType, DisseminationLevel
from projects.models.project import Partner, Project

PERSON_MONTHS = {"max_digits": 7, "decimal_places": 2}


def _months_ordered(prefix: str = ""):
    return models.CheckConstraint(
        condition=Q(start_month__gte=1) & Q(end_month__gte=F("start_month")),
        name="%(app_label)s_%(class)s_months_ordered",
        violation_error_message=_("Months are counted from 1 and the end comes after the start."),
    )


class WorkPackage(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="work_packages")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    lead = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="led_work_packages", verbose_name=_("lead partner")
    )
    start_month = models.PositiveSmallIntegerField(_("start month"))
    end_month = models.PositiveSmallIntegerField(_("end month"))
    objectives = models.TextField(_("objectives"), blank=True)

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("The project already has a work package with this number."),
            ),
            _months_ordered(),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"WP{self.number}"


class Task(models.Model):
    work_package = models.ForeignKey(WorkPackage, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    leader = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("leader")
    )
    participants = models.ManyToManyField(
        Partner, related_name="tasks", blank=True, verbose_name=_("participants")
    )
    start_month = models.PositiveSmallIntegerField(_("start month"))
    end_month = models.PositiveSmallIntegerField(_("end month"))

    class Meta:
        ordering = ["work_package", "number"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["work_package", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("The work package already has a task with this number."),
            ),
            _months_ordered(),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"T{self.work_package.number}.{self.number}"


class PlannedEffort(models.Model):
    """Person-months a partner plans to spend on a work package."""

    work_package = models.ForeignKey(WorkPackage, on_delete=models.CASCADE, related_name="planned_efforts")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="planned_efforts")
    person_months = models.DecimalField(_("person-months"), **PERSON_MONTHS)

    class Meta:
        ordering = ["work_package", "partner"]
        verbose_name = _("planned effort")
        verbose_name_plural = _("planned efforts")
        constraints = [
            models.UniqueConstraint(
                fields=["work_package", "partner"],
                name="%(app_label)s_%(class)s_unique_cell",
                violation_error_message=_("This partner already has planned effort on this work package."),
            ),
            models.CheckConstraint(
                condition=Q(person_months__gte=0),
                name="%(app_label)s_%(class)s_not_negative",
                violation_error_message=_("Person-months cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_package} · {self.partner}: {self.person_months}"


class Deliverable(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deliverables")
    work_package = models.ForeignKey(
        WorkPackage, on_delete=models.PROTECT, related_name="deliverables", verbose_name=_("work package")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    lead = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="led_deliverables", verbose_name=_("lead partner")
    )
    type = models.ForeignKey(DeliverableType, on_delete=models.PROTECT, verbose_name=_("type"))
    dissemination = models.ForeignKey(
        DisseminationLevel, on_delete=models.PROTECT, verbose_name=_("dissemination level")
    )
    description = models.TextField(_("description"), blank=True)
    due_month = models.PositiveSmallIntegerField(_("due month"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=DeliverableStatus.choices, default=DeliverableStatus.PREPARATION
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliverables_to_review",
        verbose_name=_("internal reviewer"),
    )
    submitted_on = models.DateField(_("delivery date"), null=True, blank=True)
    accepted_on = models.DateField(_("approval date"), null=True, blank=True)
    revision_reason = models.TextField(_("reason for the revision"), blank=True)
    held_at = models.CharField(
        _("where the document is held"),
        max_length=300,
        blank=True,
        help_text=_("EU-classified deliverables: the registry that holds the document (never uploaded)."),
    )

    class Meta:
        ordering = ["project", "work_package__number", "number"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        constraints = [
            models.UniqueConstraint(
                fields=["work_package", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("The work package already has a deliverable with this number."),
            ),
            models.CheckConstraint(
                condition=Q(due_month__gte=1),
                name="%(app_label)s_%(class)s_due_month_positive",
                violation_error_message=_("Months are counted from 1."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[DeliverableStatus.SUBMITTED, DeliverableStatus.ACCEPTED])
                | Q(submitted_on__isnull=False),
                name="%(app_label)s_%(class)s_submitted_has_date",
                violation_error_message=_("A submitted deliverable has its delivery date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliverableStatus.ACCEPTED) | Q(accepted_on__isnull=False),
                name="%(app_label)s_%(class)s_accepted_has_date",
                violation_error_message=_("An accepted deliverable has its approval date."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="projects_deliv_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"D{self.work_package.number}.{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DELIVERABLE_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


class DeliverableEvent(AppendOnlyModel):
    """A line of the deliverable's timeline, written with its AuditEvent by the same service."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=24, choices=DeliverableEventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=DeliverableStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=DeliverableStatus.choices, blank=True)
    text = models.TextField(_("comment or reason"), blank=True)

    class Meta:
        ordering = ["deliverable", "at", "pk"]
        verbose_name = _("deliverable event")
        verbose_name_plural = _("deliverable events")

    def __str__(self) -> str:
        return f"{self.deliverable_id} {self.kind}"


def deliverable_upload_to(instance, filename: str) -> str:
    return f"projects/{instance.deliverable.project_id}/deliverables/{uuid.uuid4().hex}/{filename}"


class DeliverableFile(models.Model):
    """A version of a deliverable's document. Never deleted: a new upload makes the previous not current."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="files")
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=deliverable_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=160)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_current = models.BooleanField(_("current"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["deliverable", "-version"]
        verbose_name = _("deliverable file")
        verbose_name_plural = _("deliverable files")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "version"],
                name="%(app_label)s_%(class)s_unique_version",
                violation_error_message=_("This version of the deliverable already exists."),
            ),
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message=_("A deliverable has one current file."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    work_packages = models.ManyToManyField(
        WorkPackage, related_name="milestones", blank=True, verbose_name=_("work packages")
    )
    due_month = models.PositiveSmallIntegerField(_("due month"))
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    achieved_on = models.DateField(_("date achieved"), null=True, blank=True)

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("The project already has a milestone with this number."),
            ),
            models.CheckConstraint(
                condition=Q(due_month__gte=1),
                name="%(app_label)s_%(class)s_due_month_positive",
                violation_error_message=_("Months are counted from 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"MS{self.number}"

    @property
    def due_date(self) -> datetime.date:
        return self.project.month_end(self.due_month)
