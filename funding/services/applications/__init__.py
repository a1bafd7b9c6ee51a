"""Writes for applications (domande): create a draft, fill it in, submit it with a protocol number,
review it, withdraw it (rinuncia) or revoke it (revoca).

Every status change goes through funding.services.workflow.application_transition, which locks,
checks the transition table, audits and e-mails the applicant on decisions. Each service checks the
actor's permission first: applicant actions need the applicant role in THAT organisation; official
actions need REVIEW_APPLICATIONS. A denied or refused call changes nothing. Every name is importable
from here.
"""

from funding.services.applications.decisions import (
    application_review,
    application_revoke,
    application_withdraw,
)
from funding.services.applications.drafts import (
    application_create,
    application_submit,
    application_update,
)
from funding.services.applications.rules import (
    ALL_FORM_FIELDS,
    CONFORMITY_PATTERN,
    ERROR_ALREADY_APPLIED,
    ERROR_CALL_NOT_OPEN_YET,
    ERROR_CALL_NOT_PUBLISHED,
    ERROR_CONFORMITY,
    ERROR_DEADLINE_PASSED,
    ERROR_DOCUMENT_MISSING,
    ERROR_FIELD_NOT_FOR_CALL,
    ERROR_FIELD_REQUIRED,
    ERROR_LICENCE_MISMATCH,
    ERROR_NO_APPLICATIONS,
    ERROR_NOT_DRAFT,
    ERROR_NOT_ELIGIBLE,
    ERROR_REASON_REQUIRED,
    ERROR_SCORE_INADMISSIBLE,
    ERROR_SCORE_NOT_RANKED,
    ERROR_SCORE_RANGE,
    ERROR_WEIGHT,
    FORM_FIELDS,
    PROTOCOL_DIGITS,
    SCORE_MAX,
    field_label,
    missing_documents,
    missing_fields,
    require_applicant_of,
    required_fields,
)

__all__ = [
    "ALL_FORM_FIELDS",
    "CONFORMITY_PATTERN",
    "ERROR_ALREADY_APPLIED",
    "ERROR_CALL_NOT_OPEN_YET",
    "ERROR_CALL_NOT_PUBLISHED",
    "ERROR_CONFORMITY",
    "ERROR_DEADLINE_PASSED",
    "ERROR_DOCUMENT_MISSING",
    "ERROR_FIELD_NOT_FOR_CALL",
    "ERROR_FIELD_REQUIRED",
    "ERROR_LICENCE_MISMATCH",
    "ERROR_NOT_DRAFT",
    "ERROR_NOT_ELIGIBLE",
    "ERROR_NO_APPLICATIONS",
    "ERROR_REASON_REQUIRED",
    "ERROR_SCORE_INADMISSIBLE",
    "ERROR_SCORE_NOT_RANKED",
    "ERROR_SCORE_RANGE",
    "ERROR_WEIGHT",
    "FORM_FIELDS",
    "PROTOCOL_DIGITS",
    "SCORE_MAX",
    "application_create",
    "application_review",
    "application_revoke",
    "application_submit",
    "application_update",
    "application_withdraw",
    "field_label",
    "missing_documents",
    "missing_fields",
    "require_applicant_of",
    "required_fields",
]
