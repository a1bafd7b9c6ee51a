from celery import shared_task

from portal.audit import audit_record
from portal.audit_checks import audit_verification_run
from portal.models import AuditEvent
from portal.notifications import notification_send

HEARTBEAT_ACTION = "system.worker_heartbeat"


@shared_task(name="portal.worker_heartbeat")
def worker_heartbeat(token: str) -> bool:
    """Leave one audit event per token: proves a worker ran a task against this database.

    Idempotent: redelivery of the same token (late ack, lost worker) records nothing twice.
    """
    if AuditEvent.objects.filter(action=HEARTBEAT_ACTION, after__token=token).exists():
        return False
    audit_record(action=HEARTBEAT_ACTION, after={"token": token})
    return True


@shared_task(
    name="portal.send_notification",
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_kwargs={"max_retries": 5},
)
def send_notification(notification_id: int) -> bool:
    return notification_send(notification_id=notification_id)


@shared_task(name="portal.audit_verify_full", acks_late=True)
def audit_verify_full(verification_id: int) -> bool | None:
    """Re-verify the whole audit chain from event 1 (requested from the verification page)."""
    return audit_verification_run(verification_id=verification_id).ok
