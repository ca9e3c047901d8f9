"""Area alerts: what supervisors publish about a district (a water cut, a flood), who is
told, and how a point or a report is matched to the alerts that cover it.

The domain (no Flask) is in citizen_api/domain/: alert_areas.py (areas' shapes, polygon
checks, coverage), alerts.py (publish, revise, list, explain a report),
alert_subscriptions.py (subscribe, confirm). Here: views.py, subscription_views.py,
schemas.py, present.py and queries.py (one alert or 404).
"""
