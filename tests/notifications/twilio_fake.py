"""A small stateful fake of Twilio's Messages API, served on 127.0.0.1 for the tests.

It sits behind Stoplight Prism (`prism proxy --errors`), which checks every request
casa311 makes, and every answer this fake gives, against Twilio's own OpenAPI spec.
It keeps the messages it accepted, answers Twilio's magic test numbers, and plays
scripted faults per recipient: a 429 with Retry-After, a 500 or 503, a slow answer (a timeout
for the client) before or after accepting the message.
"""

from __future__ import annotations

import base64
import email.utils
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

# Twilio's own magic numbers for test credentials.
OPTED_OUT = "+15005550004"  # 21610
INVALID = "+15005550001"  # 21211
MAGIC = {
    OPTED_OUT: (21610, "Attempt to send to unsubscribed recipient"),
    INVALID: (21211, "Invalid 'To' Phone Number"),
}


@dataclass
class Sent:
    sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    created: float = field(default_factory=time.time)
    content_sid: str | None = None
    content_variables: dict | None = None


class TwilioFake:
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[Sent] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every call
        self.faults: dict[str, deque] = defaultdict(deque)
        self.magic = dict(MAGIC)  # number -> (error code, message), refused every time
        self.slow_seconds = 3.0
        # Approved WhatsApp Content templates: ContentSid -> text with {{1}}, {{2}}...
        self.templates: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = None

    # --- scripting -------------------------------------------------------------------
    def script(self, to: str, *faults: str) -> None:
        """Answer the next sends to `to` with these faults, in order: '429', '500', '503',
        'timeout' (slow, nothing accepted) or 'timeout-accepted' (accepted, then slow)."""
        self.faults[to].extend(faults)

    def sent_to(self, to: str) -> list[Sent]:
        return [m for m in self.messages if m.to == to]

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.requests.clear()
            self.faults.clear()
            self.magic = dict(MAGIC)
            self.templates.clear()

    # --- serving ---------------------------------------------------------------------
    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()

    def wsgi(self, environ, start_response):
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        self.requests.append((request.method, request.path))
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages"
        if request.path == base + ".json" and request.method == "POST":
            return self._create(request)
        if request.path == base + ".json" and request.method == "GET":
            return self._list(request)
        return self._error(404, 20404, "The requested resource was not found")

    def _authorized(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _create(self, request: Request) -> Response:
        form = request.form
        to = form.get("To", "")
        fault = None
        with self._lock:
            if self.faults.get(to):
                fault = self.faults[to].popleft()
        if fault == "429":
            return self._error(429, 20429, "Too Many Requests", {"Retry-After": "1"})
        if fault == "500":
            return self._error(500, 20500, "Internal Server Error")
        if fault == "503":
            return self._error(503, 20503, "Service Unavailable")
        if fault == "timeout":
            time.sleep(self.slow_seconds)
            return self._error(503, 20503, "Service Unavailable")
        if to in self.magic:
            code, text = self.magic[to]
            return self._error(400, code, text)
        body = form.get("Body", "")
        content_sid, variables = form.get("ContentSid"), None
        if content_sid:
            if content_sid not in self.templates:
                return self._error(400, 21656, "The ContentSid is Invalid")
            variables = json.loads(form.get("ContentVariables") or "{}")
            body = self.templates[content_sid]
            for key, value in variables.items():
                body = body.replace("{{" + key + "}}", value)
        message = Sent(
            sid="SM" + secrets.token_hex(16),
            to=to,
            body=body,
            content_sid=content_sid,
            content_variables=variables,
            from_=form.get("From"),
            messaging_service_sid=form.get("MessagingServiceSid"),
            status_callback=form.get("StatusCallback"),
        )
        with self._lock:
            self.messages.append(message)
        if fault == "timeout-accepted":
            time.sleep(self.slow_seconds)
        return self._json(201, self._resource(message, "queued"))

    def _list(self, request: Request) -> Response:
        to = request.args.get("To")
        found = [m for m in self.messages if to is None or m.to == to]
        # Prism checks these against format "uri", which wants an absolute URL.
        uri = "https://api.twilio.com" + request.full_path
        return self._json(
            200,
            {
                "messages": [self._resource(m, "sent") for m in reversed(found)],
                "end": max(len(found) - 1, 0),
                "first_page_uri": uri,
                "next_page_uri": None,
                "page": 0,
                "page_size": 50,
                "previous_page_uri": None,
                "start": 0,
                "uri": uri,
            },
        )

    def _resource(self, m: Sent, status: str) -> dict:
        when = email.utils.formatdate(m.created, usegmt=True).replace("GMT", "+0000")
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": m.body,
            "date_created": when,
            "date_sent": when if status != "queued" else None,
            "date_updated": when,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": m.from_,
            "messaging_service_sid": m.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": m.sid,
            "status": status,
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{m.sid}/Media.json"
            },
            "to": m.to,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{m.sid}.json",
        }

    @staticmethod
    def _json(status: int, body: dict, headers: dict | None = None) -> Response:
        return Response(json.dumps(body), status, headers, mimetype="application/json")

    def _error(self, status: int, code: int, text: str, headers: dict | None = None) -> Response:
        body = {
            "code": code,
            "message": text,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return self._json(status, body, headers)
