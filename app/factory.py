"""Builds the Flask application: blueprints, error handlers, body limits.

``create_app`` builds the application; nothing connects to the database
until the first request, so Gunicorn can fork workers after import.
"""

from __future__ import annotations

import datetime as dt

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from flask import Response, jsonify, request

from app.config import Settings, load_settings
from app.db import Database, close_session, expected_head

API_VERSION = "1.0.0"
BODY_METHODS = ("POST", "PUT", "PATCH")


def create_app(settings: Settings | None = None) -> APIFlask:
    settings = settings or load_settings()
    app = APIFlask(
        __name__,
        title="Smart Access API",
        version=API_VERSION,
        spec_path="/openapi.json",
        docs_path="/docs",
    )
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SECURITY_SCHEMES={"bearer": {"type": "http", "scheme": "bearer"}},
        # Every operation documents the one error shape, not APIFlask's own.
        VALIDATION_ERROR_SCHEMA=ERROR_SCHEMA,
        HTTP_ERROR_SCHEMA=ERROR_SCHEMA,
        SPEC_FORMAT="json",
        INFO={
            "description": "Doors, readers, people, credentials and the "
            "decisions readers ask for. See docs/api.md."
        },
    )

    app.extensions["smart_access.settings"] = settings
    app.extensions["smart_access.db"] = Database(settings)
    app.extensions["smart_access.schema_head"] = expected_head()
    app.extensions["smart_access.clock"] = lambda: dt.datetime.now(dt.UTC)
    app.teardown_appcontext(close_session)

    _register_errors(app)
    app.before_request(_require_json_body)
    _register_blueprints(app)
    app.spec_processor(_document_errors_outside_views)
    return app


# Answers every operation with a request body can give before its schema is
# even consulted: the views never raise these, the body checks above do.
BODY_ERRORS = {
    "400": "the body is not well-formed JSON",
    "413": "the body is larger than MAX_REQUEST_BYTES",
    "415": "the body is not sent as application/json",
}


# Admin writes can collide with a unique constraint; a decision cannot, since
# a retried event id answers with the first decision instead.
CONFLICT = "the change conflicts with existing data, such as a duplicate name"
NO_CONFLICT_PATHS = ("/v1/decisions",)


# Gunicorn refuses an over-long request line itself, before the API sees it,
# with its own plain HTML page rather than the API's error shape.
URI_TOO_LONG = {
    "description": "the URL is longer than the server accepts (answered by Gunicorn)",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def _document_errors_outside_views(spec: dict) -> dict:
    for path, item in spec.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            operation.setdefault("responses", {}).setdefault("414", URI_TOO_LONG)
            if "requestBody" not in operation:
                continue
            errors = dict(BODY_ERRORS)
            if path not in NO_CONFLICT_PATHS:
                errors["409"] = CONFLICT
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(status, _error_response(description))
    return spec


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}
        },
    }


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


def _require_json_body() -> None:
    from app.errors import UnsupportedMediaType

    # Routing errors (404, 405) come first; they are raised after this hook.
    if request.routing_exception is not None:
        return
    if request.method in BODY_METHODS and request.path.startswith("/v1/"):
        if not request.is_json:
            raise UnsupportedMediaType(
                f"the request body must be JSON; got Content-Type "
                f"{request.mimetype or 'none'!r}, expected 'application/json'",
                {"content_type": request.mimetype},
            )


def _register_errors(app: APIFlask) -> None:
    from app.errors import http_error_body, register_error_handlers

    register_error_handlers(app)

    @app.error_processor
    def render(error: HTTPError) -> Response:
        response = jsonify(http_error_body(app, error))
        response.status_code = error.status_code
        for name, value in (error.headers or {}).items():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response


def _register_blueprints(app: APIFlask) -> None:
    from app import (
        access_groups,
        audit,
        credentials,
        decisions,
        doors,
        events,
        health,
        holidays,
        people,
        readers,
        sites,
        tokens,
    )

    for module in (
        health,
        decisions,
        events,
        sites,
        doors,
        readers,
        people,
        credentials,
        access_groups,
        holidays,
        tokens,
        audit,
    ):
        app.register_blueprint(module.bp)
