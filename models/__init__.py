"""casa311's data model: SQLAlchemy 2.0 typed models, free of Flask."""

from models.alerts import Alert, AlertSubscription
from models.api_keys import ApiKey
from models.audit import AUDIT_ACTIONS, AuditEntry
from models.base import Base, utcnow
from models.catalogue import (
    CatalogueVersion,
    Department,
    RoutingRule,
    ServiceAttribute,
    ServiceType,
)
from models.conversations import Conversation, InboundReply
from models.counters import RateCounter
from models.digests import StaffDigest
from models.geography import Area
from models.idempotency import IdempotencyKey
from models.incidents import INCIDENT_STATUSES, Incident, IncidentReport
from models.jobs import JobRun
from models.media import Photo, Supporter
from models.messages import InboundMessage, OutboundMessage
from models.people import ROLES, Clerk, ReporterContact
from models.replies import ResponseTemplate
from models.service_requests import (
    OPEN_STATUSES,
    PRIORITIES,
    STATUSES,
    RequestEvent,
    ServiceRequest,
)
from models.staff_contacts import STAFF_CHANNELS, DepartmentHead, StaffContact
from models.stats import MonthlyStats, ResolutionHours

__all__ = [
    "AUDIT_ACTIONS",
    "INCIDENT_STATUSES",
    "OPEN_STATUSES",
    "PRIORITIES",
    "ROLES",
    "STAFF_CHANNELS",
    "STATUSES",
    "Alert",
    "AlertSubscription",
    "ApiKey",
    "Area",
    "AuditEntry",
    "Base",
    "CatalogueVersion",
    "Clerk",
    "Conversation",
    "Department",
    "DepartmentHead",
    "IdempotencyKey",
    "InboundMessage",
    "InboundReply",
    "Incident",
    "IncidentReport",
    "JobRun",
    "MonthlyStats",
    "OutboundMessage",
    "Photo",
    "RateCounter",
    "ReporterContact",
    "RequestEvent",
    "ResolutionHours",
    "ResponseTemplate",
    "RoutingRule",
    "ServiceAttribute",
    "ServiceRequest",
    "ServiceType",
    "StaffContact",
    "StaffDigest",
    "Supporter",
    "utcnow",
]
