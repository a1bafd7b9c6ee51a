"""Export jobs: one row per requested export, run by a worker, with progress, file and clean-up."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reporting.choices import ExportFormat, ExportStatus


def export_upload_to(job: "ExportJob", filename: str) -> str:
    # Never under a public URL: downloads go through a view that checks who asks.
    return f"exports/{job.created_at:%Y/%m}/{filename}"


class ExportJob(models.Model):
    """An export of a registered report (reporting.registry) to PDF, XLSX or CSV.

    Life: queued → running → done (file ready until expires_at) → expired (file deleted), or failed.
    A worker holds a job through a lease (lease_token, lease_until) that it renews with each progress
    update; a job whose lease ran out belongs to a worker that died, and another may take it over.
    """

    report_key = models.CharField(_("report"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    language = models.CharField(_("language"), max_length=8, default="it")
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in total"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=255, blank=True)
    filename = models.CharField(_("file name"), max_length=150, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), null=True, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_token = models.CharField(_("lease token"), max_length=32, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="reporting_export_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="%(app_label)s_%(class)s_progress_at_most_100",
                violation_error_message=_("Progress is a percentage between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | ~Q(file=""),
                name="%(app_label)s_%(class)s_done_has_file",
                violation_error_message=_("A finished export has its file."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.RUNNING) | Q(lease_until__isnull=False),
                name="%(app_label)s_%(class)s_running_has_lease",
                violation_error_message=_("A running export is held by a worker's lease."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.report_key} ({self.format}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)
