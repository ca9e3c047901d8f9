"""Incidents: clerks group the reports of one problem and answer them with one update.
citizen_api/domain/incidents.py (no Flask) does the work; views.py and schemas.py are
the /api/v1/triage/incidents endpoints."""
