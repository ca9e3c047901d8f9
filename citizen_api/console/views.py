"""All the console's views, registered on one blueprint."""

from citizen_api.console import (  # noqa: F401 - each module adds its views
    accounts_views,
    alert_views,
    audit_views,
    auth_views,
    bulk_views,
    catalogue_views,
    contact_views,
    dashboard_views,
    digest_views,
    exports,
    keys_views,
    map_views,
    queue_views,
    reply_views,
    ticket_views,
)
from citizen_api.console.blueprint import blp

__all__ = ["blp"]
