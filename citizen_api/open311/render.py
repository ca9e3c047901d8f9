"""GeoReport v2's two formats. One payload (dicts, lists, strings, numbers, booleans,
None) is written either as JSON or as XML, where the JSON is "the XML with the root
dropped and lists as arrays".

XML: `<?xml version="1.0" encoding="utf-8"?>`, no namespace, a list becomes one child
element per item named after the list (`services/service`, `values/value`...), None an
empty element, booleans `true`/`false`. Characters XML 1.0 cannot carry (control
characters a resident may have typed) are dropped from XML only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import orjson
from flask import Response, request

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# The element that holds each item of a list, by the list's own element name.
ITEM_NAMES = {
    "service_requests": "request",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
    "photos": "photo",
}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, payload) -> str:
    element = ET.Element(root)
    _fill(element, payload)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def render(fmt: str, root: str, payload, status: int = 200, headers: dict | None = None):
    """The response for `payload`: JSON as is, XML under the element `root`."""
    body = orjson.dumps(payload) if fmt == "json" else to_xml(root, payload).encode("utf-8")
    response = Response(body, status=status, content_type=CONTENT_TYPES[fmt])
    response.headers.update(headers or {})
    return response


def requested_format() -> str:
    """The format the current URL asks for; XML (the spec's default) when it names none."""
    return "json" if request.path.endswith(".json") else "xml"


def spec_status(status: int) -> int:
    """GeoReport v2 answers 404 for an unknown resource, 403 for a bad or missing
    api_key and 400 for any other client error; server errors keep their own code."""
    if status in (401, 403):
        return 403
    if status == 404 or status >= 500:
        return status
    return 400


def render_error(status, title, detail, errors, headers) -> Response:
    """The spec's error shape, an array of {code, description}; a renderer for
    citizen_api.web.errors, so werkzeug's own errors under /open311 leave in it too."""
    code = spec_status(status)
    if errors:
        items = [
            {"code": code, "description": f"{field}: {message}"}
            for field, messages in errors.items()
            for message in (messages if isinstance(messages, list) else [messages])
        ]
    else:
        items = [{"code": code, "description": detail}]
    return render(requested_format(), "errors", items, code, headers)
