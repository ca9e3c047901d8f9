"""The clerks' console at /console: server-rendered triage in French, Arabic and English.

Pages work without JavaScript (forms post and redirect); scripts only enhance (maps,
select-all). Sessions are signed cookies scoped to /console; every form carries a CSRF
token (Flask-WTF), checked for this blueprint only, so the JSON API and Open311 are
untouched. See README, "The clerks' console".
"""

from citizen_api.console.setup import register_console

__all__ = ["register_console"]
