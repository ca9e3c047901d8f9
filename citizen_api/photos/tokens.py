"""The report token: a secret given to the reporter once, at filing, that lets them act on
their report later (add a photo). Only its SHA-256 is stored
(``service_requests.report_token_hash``).

This is the single place a token is checked: when the triage work issues tokens at
creation, it writes the same column (or this function is pointed at its own check).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from models import ServiceRequest


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_report_token(report: ServiceRequest) -> str:
    """Give `report` a new token; return it (shown once, never stored in clear)."""
    token = secrets.token_urlsafe(24)
    report.report_token_hash = hash_token(token)
    return token


def check_report_token(report: ServiceRequest, token: str | None) -> bool:
    """True only when `token` is the report's token."""
    if not token or not report.report_token_hash:
        return False
    return hmac.compare_digest(hash_token(token), report.report_token_hash)
