"""The documents a call requires of its applications and expense reports."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from funding.choices import (
    CallStatus,
    DocumentStage,
    DocumentType,
)
from funding.models import Call, RequiredDocument
from funding.services.calls.rules import (
    ERROR_ACCEPTED_TYPE,
    ERROR_ACCEPTED_TYPES,
    ERROR_NOT_DRAFT,
    REQUIRED_DOCUMENT_FIELDS,
    _require,
)
from portal.audit import AuditEntry, audit_record_many, snapshot
from portal.models import User


# --- Required documents ------------------------------------------------------------------------
def _clean_types(types: Iterable[str]) -> list[str]:
    cleaned = []
    for value in types or []:
        if value not in DocumentType.values:
            raise ValidationError(
                {"accepted_types": ValidationError(ERROR_ACCEPTED_TYPE, params={"type": value})}
            )
        if value not in cleaned:
            cleaned.append(value)
    if not cleaned:
        raise ValidationError({"accepted_types": ERROR_ACCEPTED_TYPES})
    return cleaned


def required_document_add(
    *,
    actor: User | None,
    call: Call,
    code: str,
    name: str,
    mandatory: bool = True,
    accepted_types: Iterable[str] = (DocumentType.PDF,),
    stage: str = DocumentStage.APPLICATION,
) -> RequiredDocument:
    """A document applicants must (or may) upload, with the application or the expense report."""
    _require(actor)
    document = RequiredDocument(
        call=call,
        code=code,
        name=name,
        mandatory=mandatory,
        accepted_types=_clean_types(accepted_types),
        stage=stage,
    )
    document.full_clean(exclude=["call"])
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.status != CallStatus.DRAFT:
            raise ValidationError(
                ERROR_NOT_DRAFT, code="not_draft", params={"status": CallStatus(locked.status).label}
            )
        document.save()
        audit_record_many(
            [
                AuditEntry(
                    action="call.required_document.added",
                    actor=actor,
                    target=locked,
                    after=snapshot(document, REQUIRED_DOCUMENT_FIELDS),
                )
            ]
        )
    return document


def required_document_remove(*, actor: User | None, required_document: RequiredDocument) -> None:
    _require(actor)
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=required_document.call_id)
        if locked.status != CallStatus.DRAFT:
            raise ValidationError(
                ERROR_NOT_DRAFT, code="not_draft", params={"status": CallStatus(locked.status).label}
            )
        before = snapshot(required_document, REQUIRED_DOCUMENT_FIELDS)
        RequiredDocument.objects.filter(pk=required_document.pk).delete()
        audit_record_many(
            [AuditEntry(action="call.required_document.removed", actor=actor, target=locked, before=before)]
        )
