"""An alert as a CAP 1.2 message, and the Atom feed of alerts, built with ElementTree.

One CAP message per version of an alert: version 1 is msgType Alert, later versions are
Update (or Cancel) and list every earlier version in `references` ("sender,identifier,
sent" triples), as CAP 1.2 section 3.2.1 asks. One `info` block per language the alert
was written in, each with the area: its description in that language, the outlines as
CAP polygons ("lat,lon" pairs, closed) and the arrondissement codes as geocodes.

Free of Flask.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from models import Alert
from models.i18n import LANGUAGES
from notifications.texts import CASABLANCA

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIMETYPE = "application/cap+xml"
ATOM_MIMETYPE = "application/atom+xml"

CATEGORY = {
    "water_cut": "Infra",
    "power_cut": "Infra",
    "road_works": "Transport",
    "flood": "Met",
    "storm": "Met",
    "heat": "Met",
    "other": "Other",
}
EVENT = {
    "fr": {
        "water_cut": "Coupure d'eau",
        "power_cut": "Coupure d'électricité",
        "road_works": "Travaux sur la voie publique",
        "flood": "Inondation",
        "storm": "Tempête",
        "heat": "Vague de chaleur",
        "other": "Alerte",
    },
    "ar": {
        "water_cut": "انقطاع الماء",
        "power_cut": "انقطاع الكهرباء",
        "road_works": "أشغال على الطريق",
        "flood": "فيضان",
        "storm": "عاصفة",
        "heat": "موجة حر",
        "other": "تنبيه",
    },
    "en": {
        "water_cut": "Water cut",
        "power_cut": "Power cut",
        "road_works": "Road works",
        "flood": "Flood",
        "storm": "Storm",
        "heat": "Heat wave",
        "other": "Alert",
    },
}
LANGUAGE_TAG = {"fr": "fr-MA", "ar": "ar-MA", "en": "en"}
DRAWN_AREA = {"fr": "Zone délimitée", "ar": "منطقة محددة", "en": "Drawn area"}


@dataclass(frozen=True)
class Publisher:
    sender: str  # e.g. casa311@casablanca.ma
    name: str  # senderName
    base_url: str  # public base URL, for links


def cap_time(when: dt.datetime) -> str:
    """CAP's date-time: local time with a numeric offset, no fraction, never "Z"."""
    return when.astimezone(CASABLANCA).replace(microsecond=0).isoformat()


def identifier(alert: Alert, version: int) -> str:
    return f"casa311-alert-{alert.id}-v{version}"


def cap_url(publisher: Publisher, alert: Alert) -> str:
    return f"{publisher.base_url}/cap/alerts/{alert.id}.xml"


def _sub(parent, tag: str, text: str | None = None, ns: str = CAP_NS):
    element = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _urgency(alert: Alert, now: dt.datetime) -> str:
    if alert.starts_at <= now:
        return "Immediate"
    return "Expected" if alert.starts_at - now <= dt.timedelta(hours=1) else "Future"


def cap_document(
    alert: Alert,
    now: dt.datetime,
    publisher: Publisher,
    area_names: dict[str, dict[str, str]],
    polygons: list[list[tuple[float, float]]],
) -> bytes:
    """The CAP 1.2 XML of the alert's current version. `area_names` maps an area code to
    its names by language; `polygons` are the outlines as (lat, lon) rings."""
    current = alert.revisions[-1]
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", identifier(alert, current["version"]))
    _sub(root, "sender", publisher.sender)
    _sub(root, "sent", cap_time(dt.datetime.fromisoformat(current["sent"])))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", current["msg_type"])
    _sub(root, "scope", "Public")
    if len(alert.revisions) > 1:
        earlier = [
            f"{publisher.sender},{identifier(alert, r['version'])},"
            f"{cap_time(dt.datetime.fromisoformat(r['sent']))}"
            for r in alert.revisions[:-1]
        ]
        _sub(root, "references", " ".join(earlier))
    for lang in LANGUAGES:
        headline = alert.headline.get(lang)
        if not headline:
            continue
        info = _sub(root, "info")
        _sub(info, "language", LANGUAGE_TAG[lang])
        _sub(info, "category", CATEGORY[alert.kind])
        _sub(info, "event", EVENT[lang][alert.kind])
        _sub(info, "responseType", "AllClear" if current["msg_type"] == "Cancel" else "Monitor")
        _sub(info, "urgency", "Past" if current["msg_type"] == "Cancel" else _urgency(alert, now))
        _sub(info, "severity", alert.severity.capitalize())
        _sub(info, "certainty", "Observed" if alert.starts_at <= now else "Likely")
        _sub(info, "onset", cap_time(alert.starts_at))
        _sub(info, "expires", cap_time(alert.ends_at))
        _sub(info, "senderName", publisher.name)
        _sub(info, "headline", headline)
        text = alert.description.get(lang) or alert.description.get("fr")
        if text:
            _sub(info, "description", text)
        _sub(info, "web", f"{publisher.base_url}/api/v1/alerts/{alert.id}")
        if alert.service_codes:
            parameter = _sub(info, "parameter")
            _sub(parameter, "valueName", "casa311:services")
            _sub(parameter, "value", " ".join(alert.service_codes))
        area = _sub(info, "area")
        names = [
            area_names[c].get(lang) or area_names[c]["fr"]
            for c in alert.area_codes
            if c in area_names
        ]
        if alert.polygon:
            names.append(DRAWN_AREA[lang])
        _sub(area, "areaDesc", ", ".join(names))
        for ring in polygons:
            _sub(area, "polygon", " ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in ring))
        for code in alert.area_codes:
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", "casa311:area")
            _sub(geocode, "value", code)
    ET.register_namespace("", CAP_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def atom_feed(alerts: list[Alert], now: dt.datetime, publisher: Publisher) -> bytes:
    """The Atom 1.0 index: one entry per alert (its current CAP message), newest first."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def sub(parent, tag, text=None, **attrs):
        element = _sub(parent, tag, text, ns=ATOM_NS)
        for key, value in attrs.items():
            element.set(key, value)
        return element

    sub(feed, "id", f"{publisher.base_url}/cap/feed.atom")
    sub(feed, "title", "casa311 — alertes de Casablanca")
    latest = max((_updated(a) for a in alerts), default=now)
    sub(feed, "updated", _atom_time(latest))
    author = sub(feed, "author")
    sub(author, "name", publisher.name)
    sub(feed, "link", rel="self", href=f"{publisher.base_url}/cap/feed.atom")
    for alert in sorted(alerts, key=_updated, reverse=True):
        entry = sub(feed, "entry")
        current = alert.revisions[-1]
        sub(entry, "id", f"urn:casa311:{identifier(alert, current['version'])}")
        sub(entry, "title", alert.headline.get("fr") or next(iter(alert.headline.values())))
        sub(entry, "updated", _atom_time(_updated(alert)))
        sub(entry, "summary", alert.description.get("fr") or "")
        sub(entry, "link", rel="alternate", type=CAP_MIMETYPE, href=cap_url(publisher, alert))
        sub(entry, "category", term=current["msg_type"])
    ET.register_namespace("", ATOM_NS)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _updated(alert: Alert) -> dt.datetime:
    return dt.datetime.fromisoformat(alert.revisions[-1]["sent"])


def _atom_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
