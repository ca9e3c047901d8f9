"""A catalogue of hostile inputs across every route, on both databases (issue 14).

Each case is sent against a database holding a real report (with a phone, attributes,
a public note and a photo). Whatever the case, the answer is never a 5xx, an error has
the shape of its way in (problem+json; Open311's error array or XML; a page under /r/),
and afterwards every stored report is still readable by every endpoint that shows it
(tests/robustness/readers.py). The cases cover the classes of issue 14 and the usual
attacker's kit: broken encodings, overflowing numbers and dates, wrong types, deep
nesting, oversize values, forged tokens, traversal, unknown formats.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.helpers import DOWNTOWN
from tests.open311.conftest import issue
from tests.photos import images
from tests.photos.test_photos_api import multipart
from tests.robustness.readers import unreadable

LONE = "\ud800"
BODY = {"service_code": "nid-de-poule", **DOWNTOWN}
FORM = {"service_code": "nid-de-poule", "lat": "33.5925", "long": "-7.6191"}
V2 = "/open311/v2"


def js(body) -> dict:
    """A JSON body sent exactly as json.dumps writes it (surrogates escaped as \\ud800)."""
    return {"data": json.dumps(body), "content_type": "application/json"}


def raw(data: bytes | str, kind="application/json") -> dict:
    return {"data": data, "content_type": kind}


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


LATIN1_BODY = '{"service_code": "nid-de-poule", "lat": 33.59, "long": -7.6, "description": "\xe9"}'
LATIN1_BODY = LATIN1_BODY.encode("latin-1")


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


# (id, method, path, request keyword arguments, signed in as a clerk?)
CASES: list[tuple[str, str, str, dict, bool]] = []


def case(name, method, path, signed_in=False, **kwargs):
    CASES.append((name, method, path, kwargs, signed_in))


# --- the native JSON create: every field, every kind of wrong ---
for field in ("service_code", "description", "address", "phone"):
    case(f"create-surrogate-{field}", "post", "/api/v1/requests", **js({**BODY, field: LONE}))
    case(f"create-nul-{field}", "post", "/api/v1/requests", **js({**BODY, field: "a\x00b"}))
    case(f"create-number-{field}", "post", "/api/v1/requests", **js({**BODY, field: 12}))
    case(f"create-huge-{field}", "post", "/api/v1/requests", **js({**BODY, field: "x" * 10_000}))
for value in ("NaN", "Infinity", "-Infinity", "1e400", '"33.5"', "true", "[33]", "{}", "null"):
    case(
        f"create-lat-{value}",
        "post",
        "/api/v1/requests",
        **raw(f'{{"service_code": "nid-de-poule", "lat": {value}, "long": -7.6}}'),
    )
for depth in (40, 1_000, 50_000):
    case(f"create-deep-{depth}", "post", "/api/v1/requests", **raw(nested(depth)))
    case(
        f"create-deep-attrs-{depth}",
        "post",
        "/api/v1/requests",
        **raw(
            '{"service_code": "nid-de-poule", "lat": 33.59, "long": -7.6, "attributes": '
            f'{{"a": {nested(depth)}}}}}'
        ),
    )
case(
    "create-attr-surrogate-key", "post", "/api/v1/requests", **js({**BODY, "attributes": {LONE: 1}})
)
case(
    "create-attr-1000-keys",
    "post",
    "/api/v1/requests",
    **js({**BODY, "attributes": {f"k{i}": i for i in range(1000)}}),
)
case("create-attr-list", "post", "/api/v1/requests", **js({**BODY, "attributes": [1, 2]}))
case("create-body-array", "post", "/api/v1/requests", **js([BODY]))
case("create-body-string", "post", "/api/v1/requests", **js("report"))
case("create-body-null", "post", "/api/v1/requests", **raw("null"))
case("create-body-empty", "post", "/api/v1/requests", **raw(""))
case("create-body-truncated", "post", "/api/v1/requests", **raw('{"service_code": "ni'))
case(
    "create-body-bom",
    "post",
    "/api/v1/requests",
    **raw(b"\xef\xbb\xbf" + json.dumps(BODY).encode()),
)
case(
    "create-body-latin1",
    "post",
    "/api/v1/requests",
    **raw(
        LATIN1_BODY,
        "application/json; charset=latin-1",
    ),
)
case("create-body-invalid-utf8", "post", "/api/v1/requests", **raw(b'{"description": "\xff\xfe"}'))
case(
    "create-server-fields", "post", "/api/v1/requests", **js({**BODY, "status": "closed", "id": 1})
)
case("create-html", "post", "/api/v1/requests", **js({**BODY, "description": "<script>x</script>"}))
case("create-bidi", "post", "/api/v1/requests", **js({**BODY, "description": "\u202egnp.exe"}))
case("create-phone-letters", "post", "/api/v1/requests", **js({**BODY, "phone": "call me maybe"}))
case("create-phone-plus", "post", "/api/v1/requests", **js({**BODY, "phone": "+" * 30}))
case("create-xml", "post", "/api/v1/requests", **raw("<a/>", "application/xml"))
case("create-too-large", "post", "/api/v1/requests", **js({**BODY, "description": "x" * 400_000}))
case(
    "create-idempotency-key-long",
    "post",
    "/api/v1/requests",
    headers={"Idempotency-Key": "k" * 5000},
    **js(BODY),
)
case(
    "create-accept-language-junk",
    "post",
    "/api/v1/requests",
    headers={"Accept-Language": ";q=;;,," * 500},
    **js(BODY),
)

# --- multipart ---
case("multipart-no-boundary", "post", "/api/v1/requests", **raw("x", "multipart/form-data"))
case(
    "multipart-bad-boundary",
    "post",
    "/api/v1/requests",
    **raw("--zz\r\nbroken", "multipart/form-data; boundary=yy"),
)
case(
    "multipart-attr-not-json",
    "post",
    "/api/v1/requests",
    **multipart({**FORM, "attributes": "{not json"}),
)
case(
    "multipart-attr-nul",
    "post",
    "/api/v1/requests",
    **multipart({**FORM, "attributes": '{"taille": "\\u0000"}'}),
)
case(
    "multipart-attr-surrogate",
    "post",
    "/api/v1/requests",
    **multipart({**FORM, "attributes": '{"taille": "\\ud800"}'}),
)
case("multipart-lat-text", "post", "/api/v1/requests", **multipart({**FORM, "lat": "north"}))
case("multipart-lat-inf", "post", "/api/v1/requests", **multipart({**FORM, "lat": "inf"}))
case(
    "multipart-text-as-photo",
    "post",
    "/api/v1/requests",
    **multipart(FORM, [("notes.txt", b"hello")]),
)
case("multipart-empty-photo", "post", "/api/v1/requests", **multipart(FORM, [("a.jpg", b"")]))
case(
    "multipart-truncated-jpeg",
    "post",
    "/api/v1/requests",
    **multipart(FORM, [("a.jpg", images.camera_jpeg((200, 100))[:300])]),
)
case(
    "multipart-photo-later-no-token",
    "post",
    "/api/v1/requests/{code}/photos",
    **multipart({}, [("a.jpg", images.camera_jpeg((200, 100)))]),
)
case("multipart-photo-later-json", "post", "/api/v1/requests/{code}/photos", **js({}))

# --- resident queries ---
for query in (
    "limit=-1",
    "limit=100000000000",
    "limit=abc",
    "bbox=1,2,3",
    "bbox=nan,nan,nan,nan",
    "bbox=10,10,-10,-10",
    "lat=nan&long=1&radius=5",
    "radius=1e309",
    "status=exploded",
    "created_after=junk",
    "created_after=9999-12-31T23:59:59-01:00",
    "created_before=0001-01-01T00:00:00%2B01:00",
    "service_code=%00",
    "lang=xx",
    "unknown=1",
    f"cursor={cursor([12, 1])}",
    f"cursor={cursor(['2026-01-01T00:00:00+00:00', 2**80])}",
    "cursor=!!!",
    f"cursor={base64.urlsafe_b64encode(b'not json').decode()}",
    "service_code=%ED%A0%80",
):
    case(f"list-{query[:40]}", "get", f"/api/v1/requests?{query}")
case("get-unknown-code", "get", "/api/v1/requests/%ED%A0%80")
case("get-long-code", "get", "/api/v1/requests/" + "A" * 5000)
for query in (
    "lat=nan&long=1&service_code=nid-de-poule",
    "lat=33&long=-7",
    "lat=33.59&long=-7.61&service_code=" + "x" * 500,
):
    case(f"nearby-{query[:30]}", "get", f"/api/v1/requests/nearby?{query}")
for query in (
    "from=2026-13",
    "from=9999-99",
    "to=0000-00",
    "group_by=bogus",
    "from=2026-06&to=2025-01",
):
    case(f"stats-{query}", "get", f"/api/v1/stats?{query}")
    case(f"stats-csv-{query}", "get", f"/api/v1/stats.csv?{query}")
case("areas-junk", "get", "/api/v1/areas/%ff%fe")
case("services-junk", "get", "/api/v1/services/%00?lang=zz")
case("services-near-nan", "get", "/api/v1/services?lat=nan&long=1")
for query in ("q=%00", "q=" + "x" * 5000, "q=%ED%A0%80", "q=%1b%5b2J", "q=", "q=06%2061%2023"):
    case(f"suggest-{query[:20]}", "get", f"/api/v1/services/suggest?{query}")

# --- feedback and supporters ---
case("feedback-no-token", "post", "/api/v1/requests/{code}/feedback", **js({"comment": "ok"}))
case(
    "feedback-wrong-token",
    "post",
    "/api/v1/requests/{code}/feedback",
    headers={"X-Report-Token": "nope"},
    **js({"comment": "ok"}),
)
case(
    "feedback-action-bogus",
    "post",
    "/api/v1/requests/{code}/feedback",
    headers={"X-Report-Token": "{token}"},
    **js({"action": "explode"}),
)
case(
    "feedback-surrogate",
    "post",
    "/api/v1/requests/{code}/feedback",
    headers={"X-Report-Token": "{token}"},
    **js({"comment": LONE}),
)
case(
    "feedback-deep",
    "post",
    "/api/v1/requests/{code}/feedback",
    headers={"X-Report-Token": "{token}"},
    **raw(nested(5000)),
)
case(
    "support-huge-device",
    "post",
    "/api/v1/requests/{code}/supporters",
    **js({"device_id": "d" * 100_000}),
)
case(
    "support-nul-device",
    "post",
    "/api/v1/requests/{code}/supporters",
    **js({"device_id": "device\x00id"}),
)
case(
    "support-voucher-unknown",
    "post",
    "/api/v1/requests/{code}/supporters",
    **js({"device_id": "device-123456", "my_report": "ZZZZ-ZZZZ", "my_report_token": "x"}),
)
case(
    "support-voucher-half",
    "post",
    "/api/v1/requests/{code}/supporters",
    **js({"device_id": "device-123456", "my_report_token": "x"}),
)

# --- sign-in and tokens ---
case("token-username-list", "post", "/api/v1/auth/token", **js({"username": [], "password": "x"}))
case("token-password-null", "post", "/api/v1/auth/token", **js({"username": "a", "password": None}))
case(
    "token-password-huge",
    "post",
    "/api/v1/auth/token",
    **js({"username": "r-clerk", "password": "p" * 100_000}),
)
case("token-surrogate", "post", "/api/v1/auth/token", **js({"username": LONE, "password": LONE}))
case(
    "token-form",
    "post",
    "/api/v1/auth/token",
    **raw("username=a&password=b", "application/x-www-form-urlencoded"),
)
case(
    "password-anonymous",
    "post",
    "/api/v1/auth/password",
    **js({"current_password": "x", "new_password": "y" * 20}),
)
case(
    "password-reset-by-clerk",
    "post",
    "/api/v1/auth/clerks/r-admin/password",
    signed_in=True,
    **js({"new_password": "z" * 20}),
)
for token in ("garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "x" * 10_000):
    case(
        f"bearer-{token[:12]}",
        "get",
        "/api/v1/triage/requests",
        headers={"Authorization": f"Bearer {token}"},
    )

# --- triage ---
for values in ([12, 1], [True, 1], ["-requested", 5, 1], ["due", "x", "y"], ["priority", 1]):
    case(
        f"triage-cursor-{values}",
        "get",
        f"/api/v1/triage/requests?cursor={cursor(values)}",
        signed_in=True,
    )
for query in (
    "sort=bogus",
    "assignee=%00",
    "assignee=doesnotexist",
    "assignee=" + "a" * 500,
    "overdue=maybe",
    "priority=top",
    "limit=0",
):
    case(f"triage-{query[:30]}", "get", f"/api/v1/triage/requests?{query}", signed_in=True)
case("triage-ticket-unknown", "get", "/api/v1/triage/requests/ZZZZ-ZZZZ", signed_in=True)
for name, body in {
    "array": [1],
    "status-bogus": {"status": "exploded"},
    "note-surrogate": {"public_note": LONE},
    "note-huge": {"public_note": "n" * 100_000},
    "department-unknown": {"department": "nowhere"},
    "duplicate-self": {"status": "duplicate", "duplicate_of": "{code}"},
    "priority-null": {"priority": None},
    "assignee-other": {"assignee": "r-admin"},
}.items():
    case(
        f"triage-patch-{name}",
        "patch",
        "/api/v1/triage/requests/{code}",
        signed_in=True,
        headers={"If-Match": "*"},
        **js(body),
    )
case(
    "triage-patch-etag-junk",
    "patch",
    "/api/v1/triage/requests/{code}",
    signed_in=True,
    headers={"If-Match": '"\x01junk'},
    **js({"priority": "high"}),
)
case(
    "triage-patch-deep",
    "patch",
    "/api/v1/triage/requests/{code}",
    signed_in=True,
    headers={"If-Match": "*"},
    **raw(nested(10_000)),
)

# --- Open311 ---
for query in (
    "start_date=9999-12-01",
    "end_date=0001-01-02",
    "start_date=2026-06-01&end_date=2026-01-01",
    "lat=nan&long=1&radius=10",
    "radius=1e309&lat=33&long=-7",
    "page_size=99999999999",
    "service_request_id=" + ",".join(["ABCD-EFGH"] * 1000),
    "jurisdiction_id=elsewhere",
    "status=maybe",
    "updated_after=junk",
    "bbox=a,b,c,d",
    "service_code=%00",
):
    for fmt in ("json", "xml"):
        case(f"open311-list-{fmt}-{query[:30]}", "get", f"{V2}/requests.{fmt}?{query}")
for form in (
    {},
    {"service_code": "nid-de-poule"},
    {**FORM, "lat": "nan"},
    {**FORM, "description": "\x00"},
    {**FORM, "attribute[taille][]": "a", "attribute[taille]": "b"},
    {**FORM, "attribute[]": "x"},
    {**FORM, "email": "x" * 10_000},
    {**FORM, "description": "d" * 10_000},
):
    case(
        f"open311-create-{sorted(form)!s:.40}-{len(str(form))}",
        "post",
        f"{V2}/requests.json",
        **raw(
            "&".join(f"{k}={v}" for k, v in form.items()) + "&api_key={api_key}",
            "application/x-www-form-urlencoded",
        ),
    )
case("open311-create-json-body", "post", f"{V2}/requests.json", **js(BODY))
case(
    "open311-create-no-key",
    "post",
    f"{V2}/requests.xml",
    **raw("service_code=nid-de-poule&lat=33.59&long=-7.6", "application/x-www-form-urlencoded"),
)
case("open311-token-junk", "get", f"{V2}/tokens/%ED%A0%80.json")
case("open311-service-junk", "get", f"{V2}/services/%ff.xml")
case("open311-request-junk", "get", f"{V2}/requests/{'Z' * 3000}.json")
case("open311-format-csv", "get", f"{V2}/requests.csv")

# --- webhooks, the public page, media ---
case(
    "webhook-unsigned-nul",
    "post",
    "/webhooks/twilio/inbound",
    **raw("From=%2B212600000000&Body=%00&MessageSid=SM1", "application/x-www-form-urlencoded"),
)
case(
    "webhook-bad-signature",
    "post",
    "/webhooks/twilio/inbound",
    headers={"X-Twilio-Signature": "\x01" * 10},
    **raw("From=whatsapp:%2B1&Body=" + "b" * 5000, "application/x-www-form-urlencoded"),
)
case(
    "webhook-status-junk",
    "post",
    "/webhooks/twilio/status",
    **raw(
        "MessageSid=&MessageStatus=%ED%A0%80&ErrorCode=1e400", "application/x-www-form-urlencoded"
    ),
)
case("page-long-code", "get", "/r/" + "K" * 5000)
case("page-lang-script", "get", "/r/{code}?lang=<script>")
case("page-surrogate", "get", "/r/%ED%A0%80")
case("media-traversal", "get", "/media/..%2F..%2Fetc%2Fpasswd")
case("media-nul", "get", "/media/%00")
case("media-long", "get", "/media/" + "m" * 5000)


@pytest.fixture
def victim(client):
    """A report as rich as they come: phone, attributes, photo; its code and token."""
    created = client.post(
        "/api/v1/requests",
        **multipart(
            {**FORM, "description": "Trou, appelez le 0661234567", "phone": "0661234567"},
            [("a.jpg", images.camera_jpeg((400, 300)))],
        ),
    )
    assert created.status_code == 201, created.json
    return created.json


def _fill(value, names: dict):
    """The placeholders {code}, {token} and {api_key} replaced wherever they are."""
    if isinstance(value, str):
        for name, real in names.items():
            value = value.replace("{" + name + "}", real)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _shape_ok(path: str, response) -> bool:
    if response.status_code < 400:
        return True
    if path.startswith("/open311"):
        if response.mimetype.endswith("xml"):
            return b"<errors>" in response.data
        return isinstance(response.json, list) and {"code", "description"} <= set(response.json[0])
    if path.startswith("/r/"):
        return response.mimetype == "text/html"
    body = response.json or {}
    return response.mimetype == "application/problem+json" and body.get("status") == (
        response.status_code
    )


def test_the_catalogue_holds_at_least_100_cases():
    assert len(CASES) >= 100
    assert len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("name", "method", "path", "kwargs", "signed_in"), CASES, ids=[c[0] for c in CASES]
)
def test_a_hostile_input_is_answered_cleanly_and_breaks_no_later_read(
    app, client, hostile_staff, victim, name, method, path, kwargs, signed_in
):
    names = {"code": victim["tracking_code"], "token": victim["report_token"]}
    if "{api_key}" in str(kwargs.get("data", "")):
        names["api_key"] = issue(app)
    path = _fill(path, names)
    kwargs = {k: _fill(v, names) for k, v in kwargs.items()}
    headers = dict(kwargs.pop("headers", {}))
    if signed_in:
        headers.update(hostile_staff["r-clerk"])
    response = getattr(client, method)(path, headers=headers, **kwargs)
    assert response.status_code < 500, (name, response.status_code, response.get_data()[:300])
    assert _shape_ok(path, response), (name, response.status_code, response.get_data()[:300])
    assert unreadable(app, client, hostile_staff["r-admin"]) == []


# --- the console (a signed-in clerk's browser, CSRF token sent) ---
# (id, method, path, form or None); {code} is the victim report.
CONSOLE_CASES = [
    ("login-nul-username", "post", "/console/login", {"username": "a\x00b", "password": "x"}),
    (
        "login-runaway-password",
        "post",
        "/console/login",
        {"username": "r-clerk", "password": "p" * 100_000},
    ),
    (
        "login-runaway-username",
        "post",
        "/console/login",
        {"username": "u" * 100_000, "password": "x"},
    ),
    ("login-next-nul", "get", "/console/login?next=%00", None),
    (
        "password-nul",
        "post",
        "/console/password",
        {"current_password": "\x00", "new_password": "n" * 20, "confirm": "n" * 20},
    ),
    ("language-junk", "post", "/console/language", {"lang": "\x00<script>"}),
    ("bulk-junk", "post", "/console/bulk", {"codes": "\x00", "action": "explode"}),
    (
        "ticket-status-nul-note",
        "post",
        "/console/requests/{code}/status",
        {"status": "acknowledged", "public_note": "a\x00b", "version": "1"},
    ),
    (
        "ticket-status-runaway-note",
        "post",
        "/console/requests/{code}/status",
        {"status": "acknowledged", "public_note": "n" * 100_000, "version": "1"},
    ),
    (
        "ticket-status-bogus",
        "post",
        "/console/requests/{code}/status",
        {"status": "exploded", "version": "1"},
    ),
    (
        "ticket-status-version-huge",
        "post",
        "/console/requests/{code}/status",
        {"status": "acknowledged", "version": "9" * 40},
    ),
    (
        "ticket-status-seen-huge",
        "post",
        "/console/requests/{code}/status",
        {"status": "acknowledged", "version": "1", "seen": "1e400"},
    ),
    ("ticket-assign-nul", "post", "/console/requests/{code}/assign", {"assignee": "\x00"}),
    (
        "ticket-assign-runaway",
        "post",
        "/console/requests/{code}/assign",
        {"assignee": "a" * 100_000},
    ),
    ("ticket-priority-bogus", "post", "/console/requests/{code}/priority", {"priority": "top"}),
    (
        "ticket-department-nul",
        "post",
        "/console/requests/{code}/department",
        {"department": "\x00"},
    ),
    ("ticket-unknown", "get", "/console/requests/%ED%A0%80", None),
    ("ticket-long-code", "get", "/console/requests/" + "K" * 5000, None),
    ("reply-nul", "post", "/console/replies", {"name": "a\x00", "body_fr": "b", "body_ar": "c"}),
    (
        "reply-runaway",
        "post",
        "/console/replies",
        {"name": "n" * 100_000, "body_fr": "b" * 100_000},
    ),
    ("reply-delete-huge-id", "post", "/console/replies/99999999999999999999999/delete", {}),
]
for query in (
    "q=%00",
    "q=%ED%A0%80",
    "q=" + "x" * 5000,
    "created_after=9999-12-31T23:59:59-01:00",
    "created_before=0001-01-01T00:00:00%2B01:00",
    "created_after=junk",
    "cursor=!!!",
    f"cursor={cursor([True, 1])}",
    f"cursor={cursor(['due', 2**80, 1])}",
    "limit=100000000000000000000",
    "assignee=%ED%A0%80",
    "assignee=doesnotexist",
    "status=exploded",
    "priority=%00",
):
    CONSOLE_CASES.append((f"queue-{query[:36]}", "get", f"/console/?{query}", None))
for query in ("from=9999-99", "from=0000-00", "to=2026-13", "from=2026-06&to=2025-01"):
    CONSOLE_CASES.append((f"dashboard-{query}", "get", f"/console/dashboard?{query}", None))
    CONSOLE_CASES.append((f"export-{query}", "get", f"/console/export.csv?{query}", None))
CONSOLE_CASES += [
    ("map-bbox-nan", "get", "/console/map.geojson?bbox=nan,nan,nan,nan", None),
    ("map-bbox-huge", "get", "/console/map.geojson?bbox=1e400,1,2,3", None),
    ("audit-cursor-junk", "get", "/console/admin/audit?cursor=%00", None),
]


def _console_shape_ok(response) -> bool:
    """A console refusal is a page for a person: HTML, a heading and a message."""
    if response.status_code < 400:
        return True
    body = response.get_data(as_text=True)
    return response.mimetype == "text/html" and "<h1>" in body and "<p>" in body


@pytest.mark.parametrize(
    ("name", "method", "path", "form"), CONSOLE_CASES, ids=[c[0] for c in CONSOLE_CASES]
)
def test_a_hostile_console_input_is_answered_with_a_page_and_breaks_no_read(
    app, client, hostile_staff, victim, name, method, path, form
):
    from tests.console.conftest import csrf_token, sign_in
    from tests.robustness.conftest import HOSTILE_PASSWORD

    browser = app.test_client()
    if not path.startswith("/console/login"):
        assert sign_in(browser, "r-clerk", HOSTILE_PASSWORD).status_code == 302
    path = _fill(path, {"code": victim["tracking_code"]})
    if method == "post":
        token = csrf_token(browser, "/console/login" if "/login" in path else "/console/")
        response = browser.post(path, data={**form, "csrf_token": token})
    else:
        response = browser.get(path)
    assert response.status_code < 500, (name, response.status_code, response.get_data()[:300])
    assert _console_shape_ok(response), (name, response.status_code, response.get_data()[:300])
    body = response.get_data(as_text=True)
    assert "\x00" not in body and "p" * 1000 not in body  # nothing refused is echoed
    if response.status_code == 422 and "\x00" in str(form or {}) + path:
        assert "cannot be used" in body or "ne sont pas" in body, body[:500]
    assert unreadable(app, client, hostile_staff["r-admin"]) == []


def test_the_catalogue_covers_the_console_and_webhooks_too():
    assert len(CONSOLE_CASES) >= 40 and len(WEBHOOK_CASES) >= 15
    assert len({c[0] for c in CONSOLE_CASES}) == len(CONSOLE_CASES)


# --- the WhatsApp / SMS inbound webhook, signed as Twilio signs it ---
WA = {"From": "whatsapp:+212612345678", "To": "whatsapp:+14155238886", "NumMedia": "0"}
SMS = {"From": "+212612345679", "To": "+15005550006", "NumMedia": "0"}
WEBHOOK_CASES = [
    ("wa-nul", "/webhooks/twilio/inbound", {**WA, "Body": "trou\x00devant"}),
    ("wa-runaway", "/webhooks/twilio/inbound", {**WA, "Body": "trou " * 20_000}),
    ("wa-bidi", "/webhooks/twilio/inbound", {**WA, "Body": "\u202egnp.exe trou"}),
    ("wa-escape", "/webhooks/twilio/inbound", {**WA, "Body": "\x1b[2J\x1b]0;owned\x07"}),
    (
        "wa-lat-overflow",
        "/webhooks/twilio/inbound",
        {**WA, "Body": "", "Latitude": "1e400", "Longitude": "-7.6"},
    ),
    (
        "wa-lat-nan",
        "/webhooks/twilio/inbound",
        {**WA, "Body": "", "Latitude": "nan", "Longitude": "nan"},
    ),
    (
        "wa-lat-text",
        "/webhooks/twilio/inbound",
        {**WA, "Body": "", "Latitude": "north", "Longitude": "-7.6"},
    ),
    ("wa-num-media-huge", "/webhooks/twilio/inbound", {**WA, "Body": "x", "NumMedia": "9" * 30}),
    ("wa-num-media-negative", "/webhooks/twilio/inbound", {**WA, "Body": "x", "NumMedia": "-1"}),
    (
        "wa-media-junk-url",
        "/webhooks/twilio/inbound",
        {
            **WA,
            "NumMedia": "1",
            "MediaUrl0": "javascript:alert(1)",
            "MediaContentType0": "image/jpeg",
        },
    ),
    (
        "wa-from-runaway",
        "/webhooks/twilio/inbound",
        {**WA, "From": "whatsapp:+" + "9" * 500, "Body": "trou"},
    ),
    (
        "wa-from-nul",
        "/webhooks/twilio/inbound",
        {**WA, "From": "whatsapp:+2126\x0012345678", "Body": "trou"},
    ),
    ("wa-no-from", "/webhooks/twilio/inbound", {"Body": "trou", "NumMedia": "0"}),
    ("wa-menu-huge-number", "/webhooks/twilio/inbound", {**WA, "Body": "9" * 5000}),
    ("sms-nul", "/webhooks/twilio/inbound", {**SMS, "Body": "STOP\x00"}),
    ("sms-runaway", "/webhooks/twilio/inbound", {**SMS, "Body": "K7QM-4RZP " * 10_000}),
    ("sms-code-surrogate-ish", "/webhooks/twilio/inbound", {**SMS, "Body": "\ufffd\ufffd K7QM"}),
    ("status-nul", "/webhooks/twilio/status", {"MessageStatus": "\x00", "ErrorCode": "1e400"}),
    (
        "status-runaway",
        "/webhooks/twilio/status",
        {"MessageStatus": "delivered" * 10_000, "ErrorCode": "9" * 40},
    ),
]


@pytest.mark.parametrize(
    ("name", "path", "params"), WEBHOOK_CASES, ids=[c[0] for c in WEBHOOK_CASES]
)
def test_a_hostile_webhook_body_is_answered_as_twilio_expects_and_breaks_no_read(
    app, client, tw, hostile_staff, victim, name, path, params
):
    from tests.notifications.support import signed_post
    from tests.notifications.whatsapp.support import new_sid

    params = {"MessageSid": new_sid(), "AccountSid": "AC" + "0123456789abcdef" * 2, **params}
    response = signed_post(tw, path, params)
    assert response.status_code < 500, (name, response.status_code, response.get_data()[:300])
    if response.status_code == 200:  # TwiML (maybe empty) or an empty answer
        assert response.mimetype in ("text/xml", "application/xml", "text/plain", "text/html")
        body = response.get_data(as_text=True)
        assert "\x00" not in body and "\x1b" not in body
        assert not body or body.lstrip().startswith("<?xml") or "<Response" in body
    assert unreadable(app, client, hostile_staff["r-admin"]) == []
