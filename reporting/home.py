"""The auditor's home page: their latest exports and the audit chain's status, registered with
portal.home by reporting.apps. The status is cheap (the chain's head and newest event), never a
re-verification of the chain: that is the verify page's work."""

from dataclasses import dataclass

from django.db.models import Count, Q

from portal.audit_checks import audit_verification_latest
from portal.models import AuditChainCheckpoint, AuditChainHead, AuditEvent, AuditVerification
from portal.permissions import READ_AUDIT, can
from reporting.choices import ExportStatus
from reporting.registry import ReportNotFound, get_report
from reporting.selectors import export_job_list

LATEST_EXPORTS = 5


@dataclass(frozen=True)
class ChainStatus:
    events: int  # events in the chain, by its head
    newest: AuditEvent | None
    checkpoint: AuditChainCheckpoint | None  # how far the chain was verified, and when
    full: AuditVerification | None  # the latest full re-verification, whatever its outcome

    @property
    def unverified(self) -> int:
        """Events written since the checkpoint: the verify page checks them."""
        return self.events - (self.checkpoint.seq if self.checkpoint else 0)


@dataclass(frozen=True)
class AuditorQueue:
    exports: list  # ExportJob, newest first, each with report_title
    exports_ready: int  # done, ready to download
    exports_running: int  # queued or running
    chain: ChainStatus | None  # None: the user may not read the audit trail


def _title(key: str) -> str:
    try:
        return str(get_report(key).title)
    except ReportNotFound:
        return key


def audit_chain_status(*, user) -> ChainStatus | None:
    """How long the chain is, its newest event, the checkpoint and the latest full re-verification as
    stored (portal.audit_checks): four small queries, whatever the chain's length; nothing re-hashed."""
    if not can(user, READ_AUDIT):
        return None
    head = AuditChainHead.objects.filter(singleton=1).first()
    newest = AuditEvent.objects.order_by("-seq").only("seq", "created_at", "action").first()
    return ChainStatus(
        events=head.last_seq if head else 0,
        newest=newest,
        checkpoint=AuditChainCheckpoint.objects.filter(singleton=1).first(),
        full=audit_verification_latest(),
    )


def auditor_queue(*, user) -> AuditorQueue:
    jobs = export_job_list(user=user)
    exports = list(jobs[:LATEST_EXPORTS])
    for job in exports:
        job.report_title = _title(job.report_key)
    counts = jobs.order_by().aggregate(
        ready=Count("pk", filter=Q(status=ExportStatus.DONE)),
        running=Count("pk", filter=Q(status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))),
    )
    return AuditorQueue(
        exports=exports,
        exports_ready=counts["ready"],
        exports_running=counts["running"],
        chain=audit_chain_status(user=user),
    )


def auditor_home(request) -> dict:
    return {"queue": auditor_queue(user=request.user)}
