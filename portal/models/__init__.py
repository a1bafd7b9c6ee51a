from portal.models.audit import (
    AuditChainCheckpoint,
    AuditChainHead,
    AuditEvent,
    AuditSource,
    AuditVerification,
    AuditVerificationStatus,
)
from portal.models.identity import Membership, Organisation, User
from portal.models.notification import InboxMessage, Notification
from portal.models.reference import Comune, ComunePopulation, Province
from portal.models.requests import AccessRequest, AccessRequestStatus
from portal.models.saml import SamlAssertion
from portal.models.tokens import ApiToken

__all__ = [
    "AccessRequest",
    "AccessRequestStatus",
    "ApiToken",
    "AuditChainCheckpoint",
    "AuditChainHead",
    "AuditEvent",
    "AuditSource",
    "AuditVerification",
    "AuditVerificationStatus",
    "Comune",
    "ComunePopulation",
    "InboxMessage",
    "Membership",
    "Notification",
    "Organisation",
    "Province",
    "SamlAssertion",
    "User",
]
