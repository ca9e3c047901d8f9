"""Schemas of the resident-facing report endpoints, named by role."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from citizen_api.domain.report_fields import ReportFields
from citizen_api.web.fields import AwareDateTime, CommaList
from models import STATUSES
from models.i18n import LANGUAGES


class ServiceRequestIn(ReportFields):
    """A new report: the report's fields (the one rule set), and the resident's language."""

    lang = fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "The resident's language for messages (default: negotiated)."},
    )


class AreaRef(Schema):
    code = fields.String()
    name = fields.String()
    prefecture_code = fields.String(allow_none=True)


class DepartmentRef(Schema):
    code = fields.String()
    name = fields.String()


class PublicEventOut(Schema):
    """Something that happened to a report, as the public may see it."""

    event = fields.String(metadata={"example": "status"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    note = fields.String(allow_none=True, metadata={"description": "A public note"})
    department = fields.Nested(DepartmentRef)
    at = fields.DateTime()


class PhotoOut(Schema):
    url = fields.String(metadata={"description": "The photo (JPEG, at most 2048 px)"})
    thumbnail_url = fields.String()
    width = fields.Integer()
    height = fields.Integer()


class ServiceRequestOut(Schema):
    """A report as the public sees it."""

    tracking_code = fields.String(metadata={"example": "K7QM-4RZP"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    service_code = fields.String()
    service_name = fields.String()
    lat = fields.Float()
    long = fields.Float()
    address = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    area = fields.Nested(AreaRef)
    department = fields.Nested(DepartmentRef)
    requested_at = fields.DateTime()
    updated_at = fields.DateTime()
    expected_at = fields.DateTime(allow_none=True)
    supporters = fields.Integer(metadata={"description": 'Residents who said "me too"'})
    photos = fields.List(fields.Nested(PhotoOut))


class ServiceRequestDetailOut(ServiceRequestOut):
    """One report as the public sees it, with its public history."""

    duplicate_of = fields.String(
        allow_none=True, metadata={"description": "For a duplicate: the original's code"}
    )
    history = fields.List(
        fields.Nested(PublicEventOut),
        metadata={"description": "Public events, oldest first; never a clerk's name"},
    )


class KnownAlertOut(Schema):
    id = fields.Integer()
    headline = fields.String()
    expected_end = fields.DateTime()


class ServiceRequestCreatedOut(ServiceRequestDetailOut):
    """A report just filed: the only answer that carries its report_token."""

    alert = fields.Nested(
        KnownAlertOut,
        allow_none=True,
        metadata={"description": "The live alert that already explains this problem, or null"},
    )

    report_token = fields.String(
        metadata={
            "description": "Given once: the secret that lets the resident confirm, reopen "
            "or comment on this report (POST .../feedback). Keep it."
        }
    )


class ServiceRequestPage(Schema):
    items = fields.List(fields.Nested(ServiceRequestOut))
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Pass as `cursor` for the next page."}
    )


class RequestQueryArgs(Schema):
    """Filters of the report list; every filter narrows the result."""

    status = CommaList(choices=STATUSES)
    service_code = CommaList()
    area = CommaList()
    department = CommaList()
    bbox = fields.String(
        metadata={
            "description": "minLng,minLat,maxLng,maxLat (WGS84)",
            "example": "-7.65,33.57,-7.60,33.61",
        }
    )
    lat = fields.Float(allow_nan=False, validate=validate.Range(-90, 90))
    long = fields.Float(allow_nan=False, validate=validate.Range(-180, 180))
    radius = fields.Integer(
        strict=False, validate=validate.Range(1, 10_000), metadata={"description": "metres"}
    )
    created_after = AwareDateTime()
    created_before = AwareDateTime()
    updated_after = AwareDateTime()
    limit = fields.Integer(validate=validate.Range(1, 200), load_default=50)
    cursor = fields.String(validate=validate.Length(max=200))
    lang = fields.String(validate=validate.OneOf(LANGUAGES))

    @validates_schema
    def _check_combinations(self, data, **kwargs):
        errors = {}
        near = [k for k in ("lat", "long", "radius") if k in data]
        if near and len(near) != 3:
            missing = sorted({"lat", "long", "radius"} - set(near))
            errors["radius" if "radius" in missing else missing[0]] = [
                "lat, long and radius go together; missing: " + ", ".join(missing) + "."
            ]
        if "bbox" in data:
            try:
                data["bbox"] = parse_bbox(data["bbox"])
            except ValueError as exc:
                errors["bbox"] = [str(exc)]
        after, before = data.get("created_after"), data.get("created_before")
        if after and before and after >= before:
            errors["created_before"] = ["Must be later than created_after."]
        if errors:
            raise ValidationError(errors)


def parse_bbox(text: str, max_side: float = 1.0) -> tuple[float, float, float, float]:
    parts = text.split(",")
    if len(parts) != 4:
        raise ValueError("Must be four numbers: minLng,minLat,maxLng,maxLat.")
    try:
        x1, y1, x2, y2 = (float(p) for p in parts)
    except ValueError:
        raise ValueError("Must be four numbers: minLng,minLat,maxLng,maxLat.") from None
    if not all(-180 <= x <= 180 for x in (x1, x2)) or not all(-90 <= y <= 90 for y in (y1, y2)):
        raise ValueError("Longitudes must lie in [-180, 180] and latitudes in [-90, 90].")
    if x1 >= x2 or y1 >= y2:
        raise ValueError("The minimum must come before the maximum: minLng,minLat,maxLng,maxLat.")
    if x2 - x1 > max_side or y2 - y1 > max_side:
        raise ValueError(f"The box may span at most {max_side} degree on each side.")
    return x1, y1, x2, y2
