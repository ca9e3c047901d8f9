"""casa311's data model: SQLAlchemy 2.0 typed models, free of Flask."""

from models.base import Base, utcnow
from models.catalogue import Department, RoutingRule, ServiceAttribute, ServiceType
from models.geography import Area
from models.idempotency import IdempotencyKey
from models.people import ReporterContact
from models.service_requests import (
    OPEN_STATUSES,
    STATUSES,
    RequestEvent,
    ServiceRequest,
)

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "Area",
    "Base",
    "Department",
    "IdempotencyKey",
    "ReporterContact",
    "RequestEvent",
    "RoutingRule",
    "ServiceAttribute",
    "ServiceRequest",
    "ServiceType",
    "utcnow",
]
