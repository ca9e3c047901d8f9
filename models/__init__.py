"""casa311's data model: SQLAlchemy 2.0 typed models, free of Flask."""

from models.base import Base, utcnow
from models.catalogue import Department, RoutingRule, ServiceAttribute, ServiceType
from models.geography import Area
from models.media import Photo, Supporter
from models.people import ReporterContact
from models.service_requests import (
    OPEN_STATUSES,
    STATUSES,
    RequestEvent,
    ServiceRequest,
)
from models.stats import MonthlyStats, ResolutionHours

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "Area",
    "Base",
    "Department",
    "MonthlyStats",
    "Photo",
    "ReporterContact",
    "RequestEvent",
    "ResolutionHours",
    "RoutingRule",
    "ServiceAttribute",
    "ServiceRequest",
    "ServiceType",
    "Supporter",
    "utcnow",
]
