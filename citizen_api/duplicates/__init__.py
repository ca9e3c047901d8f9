"""Duplicates and support: open reports of the same kind nearby, and "me too".

For triage: ``nearby_for_ticket(session, report)`` (the open reports a clerk may mark as
duplicates of a ticket) and ``priority_boost(report)`` (what supporters add to priority).
"""

from citizen_api.duplicates.nearby import (
    add_supporter,
    nearby_for_ticket,
    nearby_open_reports,
    priority_boost,
    priority_boost_sql,
)

__all__ = [
    "add_supporter",
    "nearby_for_ticket",
    "nearby_open_reports",
    "priority_boost",
    "priority_boost_sql",
]
