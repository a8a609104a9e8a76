"""The audit log: who changed what, and when, in the same transaction."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import g
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app import schemas
from app.auth import require
from app.cursor import decode_cursor, encode_cursor
from app.db import session
from app.models import AuditEntry

bp = APIBlueprint("audit", __name__, url_prefix="/v1/audit", tag="Audit")


def record(
    db: Session, action: str, entity: str, entity_id: object, changes: dict[str, Any]
) -> None:
    principal = g.principal
    db.add(
        AuditEntry(
            token_id=principal.token_id,
            token_name=principal.name,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            changes=changes,
        )
    )


@bp.get("")
@require("admin")
@bp.input(schemas.AuditQuery, location="query")
@bp.output(schemas.AuditPage)
def list_audit(query_data: schemas.AuditQuery) -> dict:
    """List admin changes, newest first."""
    stmt = select(AuditEntry)
    if query_data.entity:
        stmt = stmt.where(AuditEntry.entity == query_data.entity)
    if query_data.cursor:
        at, last_id = decode_cursor(query_data.cursor)
        stmt = stmt.where(tuple_(AuditEntry.at, AuditEntry.id) < tuple_(at, last_id))
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    rows = session().scalars(stmt.limit(query_data.limit + 1)).all()

    items = rows[: query_data.limit]
    more = len(rows) > query_data.limit
    return {
        "items": items,
        "next_cursor": encode_cursor(items[-1].at, items[-1].id) if more else None,
    }
