from portal.models.audit import AuditChainHead, AuditEvent, AuditSource
from portal.models.identity import Membership, Organisation, User
from portal.models.notification import InboxMessage, Notification
from portal.models.reference import Comune, ComunePopulation, Province
from portal.models.requests import AccessRequest, AccessRequestStatus
from portal.models.saml import SamlAssertion

__all__ = [
    "AccessRequest",
    "AccessRequestStatus",
    "AuditChainHead",
    "AuditEvent",
    "AuditSource",
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
