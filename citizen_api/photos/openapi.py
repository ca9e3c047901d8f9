"""How the multipart/form-data bodies of the photo endpoints look in the OpenAPI document.

flask-smorest documents the JSON body of POST /api/v1/requests from ServiceRequestIn; the
multipart form of the same operation (read by citizen_api.web.parsing through the same
schema, its photo parts by photos/upload.py) and the body of POST
/api/v1/requests/{code}/photos are described here, beside the limits they must agree with
(tests/photos/test_photos_openapi.py holds them to the schema).
"""

from __future__ import annotations

from models.i18n import LANGUAGES

PHOTOS_AT_CREATION = 3
PHOTO_TYPES = "image/jpeg, image/png, image/webp, image/heic"
MULTIPART = "multipart/form-data"

PHOTO_PART = {
    "type": "string",
    "format": "binary",
    "description": "A JPEG, PNG, WebP or HEIC photo of at most 10 MB (PHOTO_MAX_BYTES); "
    "it is re-encoded as JPEG without EXIF/GPS, at most 2048 px on its longest side.",
}


def report_form_schema(max_description: int) -> dict:
    """The report's fields as form fields, plus up to 3 `photo` file parts."""
    return {
        "type": "object",
        "required": ["service_code", "lat", "long"],
        "additionalProperties": False,
        "properties": {
            "service_code": {"type": "string", "minLength": 1, "maxLength": 64},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "description": {"type": "string", "maxLength": max_description},
            "address": {"type": "string", "maxLength": 300},
            "attributes": {
                "type": "string",
                "description": "Answers to the service's attributes as one JSON object, e.g. "
                '{"taille": "grand"}.',
            },
            "phone": {
                "type": "string",
                "maxLength": 40,
                "description": "A mobile number for SMS updates; never shown publicly.",
            },
            "lang": {"type": "string", "enum": list(LANGUAGES)},
            "photo": {"type": "array", "items": PHOTO_PART, "maxItems": PHOTOS_AT_CREATION},
        },
    }


def report_form_body(max_description: int) -> dict:
    """The multipart/form-data entry of POST /api/v1/requests' requestBody."""
    return {
        "content": {
            MULTIPART: {
                "schema": report_form_schema(max_description),
                "encoding": {"photo": {"contentType": PHOTO_TYPES}},
            }
        }
    }


PHOTO_FORM_BODY = {
    "required": True,
    "content": {
        MULTIPART: {
            "schema": {
                "type": "object",
                "required": ["photo"],
                "additionalProperties": False,
                "properties": {
                    "photo": PHOTO_PART,
                    "report_token": {
                        "type": "string",
                        "description": "The report token, when it cannot be sent as a header.",
                    },
                },
            },
            "encoding": {"photo": {"contentType": PHOTO_TYPES}},
        }
    },
}
