"""GET /v1/events: the access-event log, newest first, by keyset cursor."""

from __future__ import annotations

from apiflask import APIBlueprint
from sqlalchemy import select, tuple_

from app import schemas
from app.auth import require
from app.cursor import decode_cursor, encode_cursor
from app.db import session
from app.models import AccessEvent

bp = APIBlueprint("events", __name__, url_prefix="/v1/events", tag="Events")


@bp.get("")
@require("auditor", "admin")
@bp.input(schemas.EventQuery, location="query")
@bp.output(schemas.EventPage)
def list_events(query_data: schemas.EventQuery) -> dict:
    """Filter by door, person, decision and time; page with next_cursor."""
    q = query_data
    stmt = select(AccessEvent)
    if q.door_id is not None:
        stmt = stmt.where(AccessEvent.door_id == q.door_id)
    if q.person_id is not None:
        stmt = stmt.where(AccessEvent.person_id == q.person_id)
    if q.decision is not None:
        stmt = stmt.where(AccessEvent.decision == q.decision)
    if q.since is not None:
        stmt = stmt.where(AccessEvent.occurred_at >= q.since)
    if q.until is not None:
        stmt = stmt.where(AccessEvent.occurred_at < q.until)
    if q.cursor:
        at, last_id = decode_cursor(q.cursor)
        stmt = stmt.where(
            tuple_(AccessEvent.occurred_at, AccessEvent.id) < tuple_(at, last_id)
        )
    stmt = stmt.order_by(AccessEvent.occurred_at.desc(), AccessEvent.id.desc())
    rows = session().scalars(stmt.limit(q.limit + 1)).all()

    items = rows[: q.limit]
    more = len(rows) > q.limit
    return {
        "items": items,
        "next_cursor": encode_cursor(items[-1].occurred_at, items[-1].id)
        if more
        else None,
    }
