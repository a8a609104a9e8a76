"""Liveness and readiness, the only endpoints that need no token."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app import schemas
from app.db import database
from app.errors import DatabaseUnavailable, SchemaNotAtHead

bp = APIBlueprint("health", __name__, url_prefix="/health", tag="Health")


@bp.get("/live")
@bp.output(schemas.Health)
def live() -> dict:
    """The process is up and answering."""
    return {"status": "ok"}


@bp.get("/ready")
@bp.output(schemas.Health)
@bp.doc(responses={503: "database unreachable, or schema not at the expected head"})
def ready() -> dict:
    """The database answers and its schema is the one this code expects."""
    expected = current_app.extensions["smart_access.schema_head"]
    try:
        revision = database().schema_revision()
    except (DBAPIError, PoolTimeoutError):
        raise DatabaseUnavailable(
            "the database is unreachable", {"expected_revision": expected}
        ) from None
    if revision != expected:
        raise SchemaNotAtHead(
            f"the schema is at {revision or 'no revision'}, this code expects "
            f"{expected}; run 'entrypoint.sh migrate'",
            {"schema_revision": revision, "expected_revision": expected},
        )
    return {
        "status": "ready",
        "schema_revision": revision,
        "expected_revision": expected,
    }
