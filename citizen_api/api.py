"""The resident API under /api/v1: its blueprints, its OpenAPI document and docs page."""

from __future__ import annotations

import swagger_ui_bundle
from apispec import BasePlugin
from flask import Flask, request, send_from_directory
from flask_smorest import Api

from citizen_api.photos.upload import allow_upload
from citizen_api.photos.views import MULTIPART_ENDPOINTS
from citizen_api.web.docs import ProblemSchema
from citizen_api.web.errors import PROBLEM_MIMETYPE, Problem
from citizen_api.web.resources import IdConverter, id_parameter_schema

API_PREFIX = "/api/v1"
JSON_TYPES = ("application/json",)


class CasaApi(Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # errors are documented per operation

    def _register_error_handlers(self):
        """Errors are rendered by citizen_api.web.errors for the whole app."""

    def _register_responses(self):
        """Document the shared error responses as what they are: problem+json."""
        content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIMETYPE
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = content_type


class BodyErrorsPlugin(BasePlugin):
    """Every operation that takes a body documents the two answers any body can get
    before the operation's own checks: 400 (the JSON cannot be parsed) and 415 (the
    body is not of a type it takes). Written once, here, for every operation."""

    def init_spec(self, spec):
        super().init_spec(spec)
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            for status, name in (("400", "BAD_REQUEST"), ("415", "UNSUPPORTED_MEDIA_TYPE")):
                # get_ref also registers flask-smorest's lazy problem+json response
                responses.setdefault(status, self.spec.components.get_ref("response", name))


class SchemaExtrasPlugin(BasePlugin):
    """A schema's `OPENAPI` dict (e.g. minProperties) is written into its document, so
    a rule checked in code (at least one field) is a documented constraint too."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        extras = getattr(schema, "OPENAPI", None)
        return dict(extras) if extras else None


# What citizen_api.web.edge refuses in every string (a NUL), said in the document, so a
# client or a fuzzer learns it from the schema rather than from a 422.
NO_NUL = {"pattern": "^[^\\u0000]*$"}


def no_nul_in_strings(self, field, ret=None, **kwargs) -> dict:
    ret = ret or {}
    if ret.get("type") == "string" and not ({"enum", "pattern", "format"} & set(ret)):
        return dict(NO_NUL)
    return {}


def require_json_body():
    """Refuse a write whose body is not JSON (415), before any parsing."""
    if (
        request.method in ("POST", "PUT", "PATCH")
        and request.path.startswith(API_PREFIX)
        and request.routing_exception is None  # an unknown route or method: 404/405 first
    ):
        mimetype = request.mimetype
        if mimetype == "multipart/form-data" and request.endpoint in MULTIPART_ENDPOINTS:
            allow_upload()  # photos: a larger body limit for this request only
            return
        if not (mimetype in JSON_TYPES or mimetype.endswith("+json")):
            raise Problem(
                415,
                f"Send the body as application/json (got {mimetype or 'no Content-Type'}).",
                type="unsupported-media-type",
            )


def register_security_schemes(api: Api) -> None:
    """Clerks' JWTs for /triage; a report's own secret token for its feedback."""
    from citizen_api.reports.queries import REPORT_TOKEN_HEADER_SCHEME, REPORT_TOKEN_SCHEME
    from citizen_api.web.auth import BEARER_SCHEME

    components = api.spec.components
    components.security_scheme(
        BEARER_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A clerk's access token from POST /api/v1/auth/token",
        },
    )
    components.security_scheme(
        REPORT_TOKEN_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "The report_token returned once when the report was filed",
        },
    )
    components.security_scheme(
        REPORT_TOKEN_HEADER_SCHEME,
        {"type": "apiKey", "in": "header", "name": "X-Report-Token"},
    )


def register_api(app: Flask) -> None:
    from citizen_api.alerts.subscription_views import blp as alert_subscriptions
    from citizen_api.alerts.views import blp as alerts
    from citizen_api.areas.views import blp as areas
    from citizen_api.catalogue.views import blp as services
    from citizen_api.duplicates.views import register_duplicates
    from citizen_api.incidents.views import blp as incidents
    from citizen_api.photos.views import register_photos
    from citizen_api.reports.feedback import blp as feedback
    from citizen_api.reports.views import blp as reports
    from citizen_api.stats.views import register_stats
    from citizen_api.triage.views import blp as triage
    from citizen_api.web.auth import blp as auth

    app.config.update(
        API_TITLE="casa311",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{API_PREFIX}/docs/assets/",
    )
    api = CasaApi(
        app,
        spec_kwargs={
            "extra_plugins": [BodyErrorsPlugin(), SchemaExtrasPlugin()],
            "info": {
                "description": (
                    "Casablanca's citizen service-request API. Every error is "
                    "application/problem+json (RFC 9457). Names follow `?lang=` or "
                    "Accept-Language (fr, ar, en)."
                )
            },
        },
    )
    register_security_schemes(api)
    api.ma_plugin.converter.add_attribute_function(no_nul_in_strings)
    api.register_converter(IdConverter, id_parameter_schema)
    for blueprint in (
        services,
        reports,
        feedback,
        areas,
        auth,
        triage,
        alerts,
        alert_subscriptions,
        incidents,
    ):
        api.register_blueprint(blueprint)
    app.before_request(require_json_body)
    register_photos(app, api)
    register_duplicates(api)
    register_stats(api)

    @app.get(f"{API_PREFIX}/docs/assets/<path:filename>")
    def swagger_assets(filename):
        """The docs page's scripts and styles, served from the installed package."""
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
