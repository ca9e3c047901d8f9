"""Channels: the one small interface every way of reaching a resident implements, and the
registry that picks them from the settings.

- TwilioSms: an alphanumeric sender (TWILIO_SMS_FROM) or a messaging service.
- TwilioWhatsApp: the same API with whatsapp: addresses.
- Console: logs the message (number masked) and sends nothing; the default when Twilio
  is not configured, so `make run` works with no account.

A channel's send() returns the provider's message SID or raises one of three errors that
tell the outbox what to do next: PermanentError (dead now), TransientError (retry later;
the request was not processed) and UncertainError (it may have been: look before resending).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import uuid
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from notifications.phones import mask
from notifications.settings import Settings

log = logging.getLogger(__name__)

# Twilio error codes that no retry will fix.
PERMANENT_CODES = {
    21610: "recipient opted out",
    21211: "invalid To number",
    21614: "not a mobile number",
    21408: "region not enabled",
    21612: "unreachable route",
    63016: "outside the WhatsApp 24-hour window (a template is needed)",
}


class ChannelError(Exception):
    def __init__(self, detail: str, code: int | None = None, retry_after: float | None = None):
        super().__init__(detail)
        self.detail, self.code, self.retry_after = detail, code, retry_after


class PermanentError(ChannelError):
    """Refused for good: mark the message dead, show it to clerks."""


class TransientError(ChannelError):
    """Not processed (429, 5xx, no connection): safe to send again later."""


class UncertainError(ChannelError):
    """No answer after the request left (a timeout): it may have been sent."""


class Channel(Protocol):
    name: str

    def send(self, to_e164: str, body: str, template: tuple[str, str] | None = None) -> str:
        """Send `body` to `to_e164` (or, given `template`, that approved Content template:
        its ContentSid and ContentVariables JSON, which render as `body`); return the
        provider's SID."""

    def find_sent(self, to_e164: str, body: str, since: dt.datetime) -> str | None:
        """The SID of a message with this body already sent to this number since `since`."""


class Console:
    """Writes messages to the log (numbers masked); sends nothing."""

    name = "console"

    def send(self, to_e164: str, body: str, template: tuple[str, str] | None = None) -> str:
        log.info("message to %s: %s", mask(to_e164), body)
        return "console-" + uuid.uuid4().hex[:24]

    def find_sent(self, to_e164: str, body: str, since: dt.datetime) -> str | None:
        return None


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sent to another base URL (an emulator) when one is set."""

    def __init__(self, base_url: str = "", pool_size: int = 10, **kwargs):
        super().__init__(**kwargs)
        if self.session is not None:
            # One pool of kept-alive connections per worker, as large as its sending threads.
            for prefix in ("https://", "http://"):
                self.session.mount(prefix, HTTPAdapter(pool_maxsize=max(pool_size, 1)))
            # requests reads the proxy variables again for every request (two scans of the
            # whole environment, ~0.4 ms a message): read them once, for the one host
            # this client talks to, with the CA bundle variables.
            target = base_url or "https://api.twilio.com"
            self.session.proxies.update(requests.utils.get_environ_proxies(target))
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if bundle:
                self.session.verify = bundle
            self.session.trust_env = False
        self.base = urlsplit(base_url) if base_url else None
        self._last = threading.local()

    def last_header(self, name: str) -> str | None:
        """A header of this thread's last response (the SDK's errors do not carry them)."""
        headers = getattr(self._last, "headers", None) or {}
        return headers.get(name)

    def request(self, method, url, *args, **kwargs):
        if self.base:
            parts = urlsplit(url)
            base_path = self.base.path.rstrip("/")
            url = urlunsplit(
                (self.base.scheme, self.base.netloc, base_path + parts.path, parts.query, "")
            )
        self._last.headers = None
        response = super().request(method, url, *args, **kwargs)
        self._last.headers = response.headers
        return response


class TwilioChannel:
    """Messages through Twilio's Messages API; SMS and WhatsApp differ only in addresses."""

    def __init__(self, name: str, client: Client, settings: Settings):
        self.name, self.client, self.settings = name, client, settings

    def address(self, e164: str) -> str:
        return f"whatsapp:{e164}" if self.name == "whatsapp" else e164

    def sender(self) -> dict:
        if self.name == "whatsapp":
            sender = self.settings.twilio_whatsapp_from
            return {"from_": sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"}
        if self.settings.twilio_messaging_service_sid:
            return {"messaging_service_sid": self.settings.twilio_messaging_service_sid}
        return {"from_": self.settings.twilio_sms_from}

    def send(self, to_e164: str, body: str, template: tuple[str, str] | None = None) -> str:
        content = (
            {"content_sid": template[0], "content_variables": template[1]}
            if template
            else {"body": body}
        )
        try:
            message = self.client.messages.create(
                to=self.address(to_e164),
                **content,
                status_callback=self.settings.status_callback_url,
                validity_period=self.settings.notify_validity_seconds,
                **self.sender(),
            )
        except requests.ConnectTimeout:
            raise TransientError("cannot reach Twilio: connect timeout") from None
        except requests.Timeout:
            raise UncertainError("timeout waiting for Twilio's answer") from None
        except requests.ConnectionError as exc:
            # Refused: nothing left. Reset midway: it may have arrived.
            error = TransientError if "refused" in str(exc).lower() else UncertainError
            raise error(f"connection to Twilio failed: {type(exc).__name__}") from None
        except TwilioException as exc:
            raise classify(exc, self._retry_after()) from None
        return message.sid

    def _retry_after(self) -> float | None:
        http = self.client.http_client
        value = http.last_header("Retry-After") if isinstance(http, RebasedHttpClient) else None
        try:
            return float(value) if value else None
        except ValueError:
            return None

    def find_sent(self, to_e164: str, body: str, since: dt.datetime) -> str | None:
        try:
            found = self.client.messages.list(
                to=self.address(to_e164), date_sent_after=since - dt.timedelta(days=1), limit=50
            )
        except (requests.RequestException, TwilioException) as exc:
            raise TransientError(f"cannot check what Twilio sent: {type(exc).__name__}") from None
        for message in found:
            if message.body == body:
                return message.sid
        return None


def classify(exc: TwilioException, retry_after: float | None = None) -> ChannelError:
    """Turn an SDK error into what the outbox should do about it."""
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    if code in PERMANENT_CODES:
        return PermanentError(f"{code}: {PERMANENT_CODES[code]}", code)
    if status == 429 or code == 20429 or (isinstance(status, int) and status >= 500):
        return TransientError(f"Twilio answered {status}", code, retry_after)
    # Other refusals (bad request, auth): retried with backoff until attempts run out,
    # since a configuration fix may cure them.
    text = getattr(exc, "msg", None) or str(exc)
    return TransientError(f"Twilio refused ({status} {code}): {text}"[:280], code)


def build_channels(settings: Settings) -> dict[str, Channel]:
    """The channels these settings allow, by name; 'console' is always there."""
    channels: dict[str, Channel] = {"console": Console()}
    # The SDK logs every request at INFO (URLs with numbers in them): keep it quiet.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    if settings.twilio:
        http = RebasedHttpClient(
            settings.twilio_api_base_url,
            pool_size=settings.notify_send_concurrency,
            timeout=settings.twilio_timeout_seconds,
        )
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
        if settings.sms:
            channels["sms"] = TwilioChannel("sms", client, settings)
        if settings.whatsapp:
            channels["whatsapp"] = TwilioChannel("whatsapp", client, settings)
    return channels
