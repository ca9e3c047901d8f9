"""Why an alert was refused, field by field, in the console's language.

The domain (citizen_api.domain.alerts and alert_areas) explains itself in English for the
API, each reason carrying a code and its values; the schema's refusals are per field.
Both become, here, one sentence per field that a supervisor can act on."""

from __future__ import annotations

from flask_babel import gettext as _


def _reasons() -> dict:
    return {
        "polygon-type": lambda p: _(
            "The drawn zone must be a GeoJSON Polygon; draw it on the map or paste one."
        ),
        "polygon-rings": lambda p: _("The drawn zone's coordinates must be rings of points."),
        "polygon-vertices": lambda p: _(
            "The drawn zone has %(n)d points; draw it with at most %(max)d.",
            n=p["vertices"],
            max=p["max"],
        ),
        "polygon-ring": lambda p: _(
            "The drawn zone needs at least 3 points and must end where it starts."
        ),
        "polygon-position": lambda p: _("Each point is a longitude and a latitude, two numbers."),
        "polygon-unreadable": lambda p: _("The drawn zone cannot be read as a polygon."),
        "polygon-invalid": lambda p: _(
            "The drawn zone crosses itself: its edges must not cross. Redraw it."
        ),
        "polygon-outside": lambda p: _(
            "The drawn zone must lie inside Casablanca: every point within the city."
        ),
        "areas-unknown": lambda p: _(
            "Unknown area(s): %(codes)s. Pick areas from the list.", codes=", ".join(p["codes"])
        ),
        "areas-none": lambda p: _("Pick at least one area or draw a zone on the map."),
        "services-unknown": lambda p: _(
            "Unknown service(s): %(codes)s. Pick services from the list.",
            codes=", ".join(p["codes"]),
        ),
        "ends-before-start": lambda p: _("The expected end must come after the start."),
        "too-long": lambda p: _("An alert lasts at most 90 days; publish a new one after."),
        "ended": lambda p: _("The expected end is already past: an alert must still be running."),
    }


def _schema_messages() -> dict[str, str]:
    """What to say when the schema refuses a field (its messages are the API's)."""
    return {
        "kind": _("Pick a kind from the list."),
        "severity": _("Pick a severity from the list."),
        "areas": _("Pick areas from the list."),
        "services": _("Pick services from the list."),
        "polygon": _("Draw the zone on the map or paste a GeoJSON Polygon."),
        "starts_at": _("Give the start as a date and a time."),
        "ends_at": _("Give the expected end as a date and a time."),
        "headline": _("Write the headline, at least in French (at most 140 characters)."),
        "text": _("Write the text, at least in French (at most 2,000 characters)."),
    }


def explain_refusal(errors: dict) -> dict[str, list[str]]:
    """The domain's AlertInvalid.errors, translated: field -> sentences."""
    reasons = _reasons()
    said: dict[str, list[str]] = {}
    for field, messages in errors.items():
        for message in messages:
            code = getattr(message, "code", None)
            if code in reasons:
                said.setdefault(field, []).append(reasons[code](message.params))
            else:
                said.setdefault(field, []).append(_schema_messages().get(field, str(message)))
    return said


def explain_schema(errors: dict) -> dict[str, list[str]]:
    """marshmallow's errors (field -> anything), translated: field -> sentences."""
    known = _schema_messages()
    return {
        field if field in known else "_form": [known.get(field, _("This form has an error."))]
        for field in errors
    }
