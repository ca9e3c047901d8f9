"""Logging that can be neither forged nor leak a phone number: one filter for every line.

Every record, the app's and gunicorn's (its error log and its access log, see
citizen_api/web/access_log.py), passes `LogSafetyFilter`: its message is rendered, its
control characters escaped (a `%0a` in a URL cannot start a new line, an ESC cannot
reach the terminal) and phone numbers masked to their last two digits
(citizen_api.domain.text_safety.log_safe). A traceback keeps its lines, with numbers masked.
"""

from __future__ import annotations

import logging

from citizen_api.domain.text_safety import log_safe, mask_phones

__all__ = ["LogSafetyFilter", "PhoneMaskingFilter", "configure_logging", "mask_phones"]
_traceback_formatter = logging.Formatter()


class LogSafetyFilter(logging.Filter):
    """Rewrites each record's message (and traceback) escaped and masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = log_safe(message)
        if safe != message or record.args:
            record.msg, record.args = safe, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        return True


PhoneMaskingFilter = LogSafetyFilter  # the name it had when it only masked numbers


def install(logger: logging.Logger) -> None:
    """Put the filter on a logger itself (it then sees every record logged to it,
    whichever handlers it has now or later)."""
    if not any(isinstance(f, LogSafetyFilter) for f in logger.filters):
        logger.addFilter(LogSafetyFilter())


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, LogSafetyFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(LogSafetyFilter())
        root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
