"""Every error a client can see, and the handlers that render them.

Views raise; only this module builds error bodies, so every 4xx and 5xx has
the shape ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Base of the errors views raise; subclasses fix the status and code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Invalid(ApiError):
    """A request that parsed but breaks a rule; ``field`` is named in details."""

    status = 422
    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {"fields": [{"field": field, "message": message}]})


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class DatabaseUnavailable(ApiError):
    status = 503
    code = "database_unavailable"


class SchemaNotAtHead(ApiError):
    status = 503
    code = "schema_not_at_head"


def not_found(entity: str, entity_id: object) -> NotFound:
    return NotFound(f"{entity} {entity_id} does not exist", {"id": entity_id})


def _body(status: int, code: str, message: str, details: dict) -> Response:
    response = jsonify(
        {"error": {"code": code, "message": message, "details": details}}
    )
    response.status_code = status
    return response


def _unavailable() -> Response:
    response = _body(
        503,
        "database_unavailable",
        "the database is unavailable; retry shortly",
        {},
    )
    response.headers["Retry-After"] = "5"
    return response


# Constraint names from app/models.py, turned into messages a client can act on.
CONSTRAINT_MESSAGES = {
    "uq_credentials_card": "a card with this format and number already exists at this site",
    "uq_credentials_pin": "this PIN is already in use at this site; choose another",
    "uq_sites_name": "a site with this name already exists",
    "uq_doors_site_id_name": "a door with this name already exists at this site",
    "uq_readers_door_id_name": "a reader with this name already exists on this door",
    "uq_access_groups_site_id_name": "an access group with this name already exists at this site",
    "uq_holidays_site_id_date": "this site already has a holiday on this date",
}


def _foreign_key_column(constraint: str) -> str:
    from app.models import Base

    for table in Base.metadata.tables.values():
        for key in table.foreign_key_constraints:
            if key.name == constraint:
                return key.column_keys[0]
    return constraint or "unknown"


def _integrity(err: IntegrityError) -> Response:
    diag = getattr(err.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    sqlstate = getattr(err.orig, "sqlstate", None)
    if sqlstate == "23503":
        field = _foreign_key_column(constraint)
        message = f"{field} refers to a record that does not exist"
        return _body(
            422,
            "validation_error",
            message,
            {"fields": [{"field": field, "message": message}]},
        )
    message = CONSTRAINT_MESSAGES.get(
        constraint, "the change conflicts with existing data"
    )
    return _body(409, "conflict", message, {"constraint": constraint})


# Status codes APIFlask reports, with the code and message clients see.
HTTP_ERRORS = {
    400: ("bad_request", "the request could not be read; send valid JSON"),
    404: ("not_found", "no such endpoint"),
    405: ("method_not_allowed", "this endpoint does not accept that method"),
    413: ("payload_too_large", "the request body is larger than {limit} bytes"),
}


def _field_error(name: str, message: str) -> dict[str, str]:
    """Name the field of a cross-field check, which pydantic reports on its model."""
    message = message.removeprefix("Value error, ")
    if message == "Extra inputs are not permitted":
        message = "unknown field; remove it"
    field, sep, rest = message.partition(": ")
    if sep and field.isidentifier():
        prefix = "" if name == "_schema" else name + "."
        return {"field": prefix + field, "message": rest}
    return {"field": name, "message": message}


def http_error_body(app: Flask, error: Any) -> dict[str, Any]:
    """The body for an APIFlask HTTPError: its validation errors or a status."""
    if error.status_code == 422 and isinstance(error.detail, dict):
        fields = [
            _field_error(name, message)
            for location in error.detail.values()
            for name, messages in location.items()
            for message in messages
        ]
        names = ", ".join(f["field"] for f in fields)
        return {
            "error": {
                "code": "validation_error",
                "message": f"the request is invalid: {names}",
                "details": {
                    "location": next(iter(error.detail), None),
                    "fields": fields,
                },
            }
        }
    code, message = HTTP_ERRORS.get(
        error.status_code, ("http_error", error.message or "request failed")
    )
    message = message.format(limit=app.config["MAX_CONTENT_LENGTH"])
    return {"error": {"code": code, "message": message, "details": {}}}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(err: ApiError) -> Response:
        response = _body(err.status, err.code, err.message, err.details)
        if err.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="smart-access"'
        if err.status == 503:
            response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(IntegrityError)
    def handle_integrity(err: IntegrityError) -> Response:
        return _integrity(err)

    @app.errorhandler(DataError)
    def handle_data_error(err: DataError) -> Response:
        # Validation should have caught it; answer without echoing the SQL.
        log.warning("value rejected by the database: %s", type(err.orig).__name__)
        return _body(
            422,
            "validation_error",
            "a value is out of the range the database accepts",
            {"fields": []},
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeoutError)
    def handle_db_down(err: Exception) -> Response:
        log.warning("database unavailable: %s", type(err).__name__)
        return _unavailable()

    @app.errorhandler(DBAPIError)
    def handle_dbapi(err: DBAPIError) -> Response:
        if err.connection_invalidated:
            log.warning("database connection lost")
            return _unavailable()
        log.error("database error", exc_info=err)
        return _body(500, "internal_error", "an internal error occurred", {})

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception) -> Response:
        log.error("unhandled error", exc_info=err)
        return _body(500, "internal_error", "an internal error occurred", {})
