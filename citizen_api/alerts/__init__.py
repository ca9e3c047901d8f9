"""Area alerts: what supervisors publish about a district (a water cut, a flood), who is
told, and how a point or a report is matched to the alerts that cover it.

Flask-free: geometry.py (areas' shapes, polygon checks, coverage), publishing.py
(publish, revise, list), subscriptions.py (subscribe, confirm, end). Flask: views.py,
subscription_views.py and schemas.py.
"""
