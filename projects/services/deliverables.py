"""The deliverable's life, as the EU portal keeps it, with the consortium's own review before it:

    in preparation → internal review → pending → draft → submitted → accepted
                   ↖ (sent back)               ↑ (a file)           ↘ revision requested → pending

Every transition is a service here: it locks the deliverable, checks who acts and from which status,
writes the change, a line of the deliverable's timeline and an AuditEvent in one transaction.
Files are checked by projects.services.files (funding's safe upload checks for PDFs); an EU-classified
deliverable never has a file: only where the document is held.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.formatting import format_date
from portal.models import Membership, User
from projects.choices import DeliverableEventKind as Event
from projects.choices import DeliverableStatus as S
from projects.choices import Visibility
from projects.models import Deliverable, DeliverableEvent, DeliverableFile
from projects.services.common import access, audit
from projects.services.files import check_deliverable_file

ERROR_STATUS = _("A deliverable that is “%(status)s” cannot be %(action)s.")
ERROR_REVIEWER_NOT_MEMBER = _("The internal reviewer must work for one of the project's partners.")
ERROR_NOT_REVIEWER = _("Only the named internal reviewer can approve or send back this deliverable.")
ERROR_COMMENTS_REQUIRED = _("Say what must change: the comments are required to send it back.")
ERROR_REASON_REQUIRED = _("The reason is required.")
ERROR_CLASSIFIED_FILE = _(
    "This deliverable is EU-classified: the portal keeps only its metadata and where the document is "
    "held, never the file."
)
ERROR_NOT_CLASSIFIED = _("Only an EU-classified deliverable records where it is held instead of a file.")
ERROR_NO_FILE = _("Upload the deliverable's file before submitting it.")
ERROR_DUE_BACKWARDS = _("The due date can only move forward: the current one is %(current)s.")
ERROR_DUE_STATUS = _("The due date can move only while the deliverable is pending or a draft.")
ERROR_SUBMITTED_FILE = _("A submitted deliverable's file cannot be replaced.")
ERROR_DATE_FUTURE = _("The date cannot be in the future.")

ACTION_LABELS = {
    "review": _("sent to internal review"),
    "decide": _("approved or sent back by the internal reviewer"),
    "upload": _("given a new file"),
    "submit": _("submitted"),
    "accept": _("accepted"),
    "revise": _("sent back for revision"),
    "move": _("given a new due date"),
}


def _refuse_status(deliverable: Deliverable, action: str) -> ValidationError:
    return ValidationError(
        ERROR_STATUS,
        code="invalid_transition",
        params={"status": S(deliverable.status).label, "action": ACTION_LABELS[action]},
    )


def _lock(deliverable: Deliverable) -> Deliverable:
    return (
        Deliverable.objects.select_for_update(of=("self",))
        .select_related("project", "work_package", "dissemination", "lead")
        .get(pk=deliverable.pk)
    )


def _require_lead_or_coordinator(actor: User | None, deliverable: Deliverable) -> None:
    if not access(actor, deliverable.project).edits_partner(deliverable.lead_id):
        raise PermissionDenied


def _record(
    deliverable: Deliverable,
    *,
    actor: User | None,
    kind: str,
    before: str,
    text: str = "",
    audit_extra: dict | None = None,
) -> None:
    DeliverableEvent.objects.create(
        deliverable=deliverable,
        actor=actor,
        kind=kind,
        from_status=before,
        to_status=deliverable.status,
        text=text,
    )
    audit(
        action=f"projects.deliverable.{kind}",
        actor=actor,
        target=deliverable,
        project=deliverable.project,
        before={"status": before},
        after={"status": deliverable.status, "text": text, **(audit_extra or {})},
    )


def _today_or(day: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    if day is None:
        return today
    if day > today:
        raise ValidationError({"date": ValidationError(ERROR_DATE_FUTURE, code="future")})
    return day


def deliverable_request_review(
    *, actor: User | None, deliverable: Deliverable, reviewer: User, text: str = ""
) -> Deliverable:
    """In preparation → internal review, naming the reviewer (a consortium member)."""
    _require_lead_or_coordinator(actor, deliverable)
    with transaction.atomic():
        locked = _lock(deliverable)
        if locked.status != S.PREPARATION:
            raise _refuse_status(locked, "review")
        partner_orgs = locked.project.partners.values_list("organisation_id", flat=True)
        if not Membership.objects.filter(
            user=reviewer, is_active=True, organisation_id__in=partner_orgs, user__is_active=True
        ).exists():
            raise ValidationError({"reviewer": ValidationError(ERROR_REVIEWER_NOT_MEMBER, code="reviewer")})
        before, locked.status, locked.reviewer = locked.status, S.INTERNAL_REVIEW, reviewer
        locked.save(update_fields=["status", "reviewer"])
        _record(
            locked,
            actor=actor,
            kind=Event.REVIEW_REQUESTED,
            before=before,
            text=text,
            audit_extra={"reviewer": reviewer.email},
        )
    return locked


def deliverable_review_decide(
    *, actor: User, deliverable: Deliverable, approve: bool, comments: str = ""
) -> Deliverable:
    """The named reviewer approves (→ pending) or sends it back with comments (→ in preparation)."""
    with transaction.atomic():
        locked = _lock(deliverable)
        if actor is None or locked.reviewer_id != actor.pk:
            raise PermissionDenied(ERROR_NOT_REVIEWER)
        if locked.status != S.INTERNAL_REVIEW:
            raise _refuse_status(locked, "decide")
        if not approve and not comments.strip():
            raise ValidationError({"comments": ValidationError(ERROR_COMMENTS_REQUIRED, code="required")})
        before = locked.status
        locked.status = S.PENDING if approve else S.PREPARATION
        locked.save(update_fields=["status"])
        _record(
            locked,
            actor=actor,
            kind=Event.REVIEW_APPROVED if approve else Event.REVIEW_RETURNED,
            before=before,
            text=comments.strip(),
        )
    return locked


def deliverable_upload(*, actor: User | None, deliverable: Deliverable, uploaded_file) -> DeliverableFile:
    """Pending or draft → draft with a new current file; earlier versions are kept. Refused uploads
    leave no row, no event and no stored file behind."""
    _require_lead_or_coordinator(actor, deliverable)
    if deliverable.dissemination.visibility == Visibility.CLASSIFIED:
        raise ValidationError({"file": ValidationError(ERROR_CLASSIFIED_FILE, code="classified")})
    checked = check_deliverable_file(uploaded_file)
    storage = DeliverableFile._meta.get_field("file").storage
    stored = ""
    try:
        with transaction.atomic():
            locked = _lock(deliverable)
            if locked.status in (S.SUBMITTED, S.ACCEPTED):
                raise ValidationError({"file": ValidationError(ERROR_SUBMITTED_FILE, code="submitted")})
            if locked.status not in (S.PENDING, S.DRAFT):
                raise _refuse_status(locked, "upload")
            version = (locked.files.aggregate(m=Max("version"))["m"] or 0) + 1
            replaced = list(locked.files.filter(is_current=True).values_list("version", flat=True))
            locked.files.filter(is_current=True).update(is_current=False)
            version_file = DeliverableFile(
                deliverable=locked,
                version=version,
                original_name=checked.name,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            version_file.file.save(checked.name, ContentFile(checked.data), save=False)
            stored = version_file.file.name
            version_file.save()
            before, locked.status = locked.status, S.DRAFT
            locked.save(update_fields=["status"])
            _record(
                locked,
                actor=actor,
                kind=Event.FILE_UPLOADED,
                before=before,
                text=f"{checked.name} (v{version})",
                audit_extra={
                    "version": version,
                    "sha256": checked.sha256,
                    "size": len(checked.data),
                    "replaces": replaced,
                },
            )
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    return version_file


def deliverable_record_custody(*, actor: User | None, deliverable: Deliverable, held_at: str) -> Deliverable:
    """EU-classified: pending or draft → draft, recording the registry that holds the document."""
    _require_lead_or_coordinator(actor, deliverable)
    held_at = (held_at or "").strip()
    if not held_at:
        raise ValidationError({"held_at": ValidationError(ERROR_REASON_REQUIRED, code="required")})
    with transaction.atomic():
        locked = _lock(deliverable)
        if locked.dissemination.visibility != Visibility.CLASSIFIED:
            raise ValidationError({"held_at": ValidationError(ERROR_NOT_CLASSIFIED, code="not_classified")})
        if locked.status not in (S.PENDING, S.DRAFT):
            raise _refuse_status(locked, "upload")
        before, locked.status, locked.held_at = locked.status, S.DRAFT, held_at[:300]
        locked.save(update_fields=["status", "held_at"])
        _record(locked, actor=actor, kind=Event.HELD_AT_RECORDED, before=before, text=locked.held_at)
    return locked


def deliverable_submit(
    *, actor: User | None, deliverable: Deliverable, submitted_on: datetime.date | None = None
) -> Deliverable:
    """Draft → submitted, recording the delivery date. Only the coordinator's project manager submits."""
    if not access(actor, deliverable.project).edits_work_plan:
        raise PermissionDenied
    day = _today_or(submitted_on)
    with transaction.atomic():
        locked = _lock(deliverable)
        if locked.status != S.DRAFT:
            raise _refuse_status(locked, "submit")
        classified = locked.dissemination.visibility == Visibility.CLASSIFIED
        if not classified and not locked.files.filter(is_current=True).exists():
            raise ValidationError({"file": ValidationError(ERROR_NO_FILE, code="no_file")})
        before, locked.status, locked.submitted_on = locked.status, S.SUBMITTED, day
        locked.save(update_fields=["status", "submitted_on"])
        _record(locked, actor=actor, kind=Event.SUBMITTED, before=before, audit_extra={"submitted_on": day})
    return locked


def _require_accepts(actor: User | None, deliverable: Deliverable) -> None:
    if not access(actor, deliverable.project).accepts:
        raise PermissionDenied


def deliverable_accept(
    *, actor: User | None, deliverable: Deliverable, accepted_on: datetime.date | None = None
) -> Deliverable:
    """Submitted → accepted, recording the approval date (an official, for the EU)."""
    _require_accepts(actor, deliverable)
    day = _today_or(accepted_on)
    with transaction.atomic():
        locked = _lock(deliverable)
        if locked.status != S.SUBMITTED:
            raise _refuse_status(locked, "accept")
        before, locked.status, locked.accepted_on = locked.status, S.ACCEPTED, day
        locked.save(update_fields=["status", "accepted_on"])
        _record(locked, actor=actor, kind=Event.ACCEPTED, before=before, audit_extra={"accepted_on": day})
    return locked


def deliverable_request_revision(*, actor: User | None, deliverable: Deliverable, reason: str) -> Deliverable:
    """Submitted → pending again, the reason kept on the deliverable and in its timeline."""
    _require_accepts(actor, deliverable)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(ERROR_REASON_REQUIRED, code="required")})
    with transaction.atomic():
        locked = _lock(deliverable)
        if locked.status != S.SUBMITTED:
            raise _refuse_status(locked, "revise")
        before = locked.status
        locked.status, locked.revision_reason, locked.submitted_on = S.PENDING, reason, None
        locked.save(update_fields=["status", "revision_reason", "submitted_on"])
        _record(locked, actor=actor, kind=Event.REVISION_REQUESTED, before=before, text=reason)
    return locked


def deliverable_move_due(
    *, actor: User | None, deliverable: Deliverable, due_date: datetime.date, reason: str
) -> Deliverable:
    """The due date moves only while pending or draft, only forward, with a reason (the coordinator's
    project manager, as agreed with the EU's project officer)."""
    if not access(actor, deliverable.project).edits_work_plan:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(ERROR_REASON_REQUIRED, code="required")})
    with transaction.atomic():
        locked = _lock(deliverable)
        if locked.status not in (S.PENDING, S.DRAFT):
            raise ValidationError({"due_date": ValidationError(ERROR_DUE_STATUS, code="due_status")})
        if due_date <= locked.due_date:
            raise ValidationError(
                {
                    "due_date": ValidationError(
                        ERROR_DUE_BACKWARDS,
                        code="backwards",
                        params={"current": format_date(locked.due_date)},
                    )
                }
            )
        previous, locked.due_date = locked.due_date, due_date
        locked.save(update_fields=["due_date"])
        _record(
            locked,
            actor=actor,
            kind=Event.DUE_DATE_MOVED,
            before=locked.status,
            text=reason,
            audit_extra={"due_date_before": previous, "due_date": due_date},
        )
    return locked
