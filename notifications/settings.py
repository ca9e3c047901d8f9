"""Settings of the messaging side, read from any mapping (Flask's app.config or os.environ).

Every one is optional: with no Twilio credentials, messages go to the console channel
(logged, never sent); with no CELERY_BROKER_URL, tasks run in-process after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

# name -> (default, type); merged into citizen_api.config.SETTINGS.
NOTIFY_SETTINGS: dict[str, tuple[object, type]] = {
    "TWILIO_ACCOUNT_SID": ("", str),
    "TWILIO_AUTH_TOKEN": ("", str),
    # SMS sender: an alphanumeric sender ID (e.g. CASA311) or number, or a messaging service.
    "TWILIO_SMS_FROM": ("", str),
    "TWILIO_MESSAGING_SERVICE_SID": ("", str),
    # WhatsApp sender, e.g. whatsapp:+14155238886 (the whatsapp: prefix may be left out).
    "TWILIO_WHATSAPP_FROM": ("", str),
    # Unset: Twilio itself. Set: an emulator at this base URL (the tests use one).
    "TWILIO_API_BASE_URL": ("", str),
    "TWILIO_TIMEOUT_SECONDS": (10.0, float),
    # Unset: tasks run in-process after commit (no broker). redis://... in production.
    "CELERY_BROKER_URL": ("", str),
    "CELERY_QUEUE": ("casa311", str),
    # sms or whatsapp: the channel for residents not known to be on WhatsApp.
    "NOTIFY_DEFAULT_CHANNEL": ("sms", str),
    "NOTIFY_DAILY_CAP": (5, int),
    "NOTIFY_MAX_ATTEMPTS": (8, int),
    "NOTIFY_RETRY_BASE_SECONDS": (30.0, float),
    "NOTIFY_RETRY_MAX_SECONDS": (3600.0, float),
    # How long a worker owns a claimed message before the sweep may take it back.
    "NOTIFY_LEASE_SECONDS": (120, int),
    "NOTIFY_SWEEP_SECONDS": (60, int),
    "NOTIFY_SWEEP_BATCH": (500, int),
    # With a broker, the sweep leaves messages younger than this to the task queued at
    # their commit (without one, it takes every due message at once).
    "NOTIFY_SWEEP_GRACE_SECONDS": (15.0, float),
    # A worker draining the outbox claims this many due messages per round trip, and sends
    # them over this many concurrent connections to Twilio.
    "NOTIFY_CLAIM_BATCH": (50, int),
    "NOTIFY_SEND_CONCURRENCY": (8, int),
    "NOTIFY_VALIDITY_SECONDS": (14400, int),
    # Approved WhatsApp Content templates for area alerts, per language:
    # "fr=HX...,ar=HX...,en=HX..." (each reads "{{1}}" newline "{{2}}"). A WhatsApp
    # subscriber outside the 24-hour window gets the template; with none for their
    # language, an SMS.
    "TWILIO_ALERT_CONTENT_SIDS": ("", str),
    # Phone numbers are erased this many days after their last report closed.
    "PHONE_RETENTION_DAYS": (30, int),
}


@dataclass(frozen=True)
class Settings:
    public_base_url: str = "http://127.0.0.1:5000"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_sms_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_whatsapp_from: str = ""
    twilio_api_base_url: str = ""
    twilio_timeout_seconds: float = 10.0
    celery_broker_url: str = ""
    celery_queue: str = "casa311"
    notify_default_channel: str = "sms"
    notify_daily_cap: int = 5
    notify_max_attempts: int = 8
    notify_retry_base_seconds: float = 30.0
    notify_retry_max_seconds: float = 3600.0
    notify_lease_seconds: int = 120
    notify_sweep_seconds: int = 60
    notify_sweep_batch: int = 500
    notify_sweep_grace_seconds: float = 15.0
    notify_claim_batch: int = 50
    notify_send_concurrency: int = 8
    notify_validity_seconds: int = 14400
    twilio_alert_content_sids: str = ""
    phone_retention_days: int = 30

    @classmethod
    def from_mapping(cls, values: Mapping) -> Settings:
        """Read the settings from app.config or os.environ (missing or empty: default)."""
        kwargs = {}
        for f in fields(cls):
            raw = values.get(f.name.upper())
            if raw in (None, ""):
                continue
            kwargs[f.name] = type(f.default)(raw)
        kwargs["public_base_url"] = kwargs.get("public_base_url", cls.public_base_url).rstrip("/")
        return cls(**kwargs)

    @property
    def twilio(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def sms(self) -> bool:
        return self.twilio and bool(self.twilio_sms_from or self.twilio_messaging_service_sid)

    @property
    def whatsapp(self) -> bool:
        return self.twilio and bool(self.twilio_whatsapp_from)

    @property
    def alert_templates(self) -> dict[str, str]:
        """Language -> ContentSid of the approved alert template (WhatsApp)."""
        pairs = (item.partition("=") for item in self.twilio_alert_content_sids.split(","))
        return {k.strip(): v.strip() for k, _, v in pairs if k.strip() and v.strip()}

    @property
    def status_callback_url(self) -> str:
        return f"{self.public_base_url}/webhooks/twilio/status"

    def report_url(self, tracking_code: str) -> str:
        return f"{self.public_base_url}/r/{tracking_code}"
