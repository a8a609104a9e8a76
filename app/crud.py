"""Admin create/read/update/delete for entities that are one plain row.

Each resource module calls ``register_crud`` on its own blueprint, so the five
endpoints of every simple entity behave, validate and audit alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from apiflask import APIBlueprint
from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit import record
from app.auth import require
from app.db import session
from app.errors import Invalid, not_found
from app.models import Base
from app.schemas import MAX_ID


def get_or_404(db: Session, model: type[Base], row_id: int, entity: str) -> Any:
    # Flask's int converter takes any digits; beyond bigint nothing can match.
    row = db.get(model, row_id) if row_id <= MAX_ID else None
    if row is None:
        raise not_found(entity, row_id)
    return row


def page(db: Session, stmt: Select, model: type[Base], limit: int, after: int) -> dict:
    """One page of ``stmt`` in id order, keyed on the last id seen."""
    rows = db.scalars(
        stmt.where(model.id > after).order_by(model.id).limit(limit + 1)
    ).all()
    items = rows[:limit]
    return {
        "items": items,
        "next_after": items[-1].id if len(rows) > limit else None,
    }


def register_crud(
    bp: APIBlueprint,
    *,
    model: type[Base],
    entity: str,
    create: type[BaseModel],
    patch: type[BaseModel],
    out: type[BaseModel],
    listing: type[BaseModel],
    query: type[BaseModel],
    filters: Sequence[str] = (),
    check: Callable[[Session, dict[str, Any]], None] | None = None,
) -> None:
    """Add POST, GET (list and one), PATCH and DELETE for ``model`` to ``bp``."""

    @bp.post("")
    @require("admin")
    @bp.input(create)
    @bp.output(out, status_code=201)
    @bp.doc(summary=f"Create a {entity}")
    def create_one(json_data: BaseModel) -> Any:
        db = session()
        values = json_data.model_dump()
        if check:
            check(db, values)
        row = model(**values)
        db.add(row)
        db.flush()
        record(db, "create", entity, row.id, json_data.model_dump(mode="json"))
        db.commit()
        return row

    @bp.get("")
    @require("admin")
    @bp.input(query, location="query")
    @bp.output(listing)
    @bp.doc(summary=f"List {entity}s")
    def list_all(query_data: BaseModel) -> dict:
        stmt = select(model)
        for name in filters:
            value = getattr(query_data, name)
            if value is not None:
                stmt = stmt.where(getattr(model, name) == value)
        return page(session(), stmt, model, query_data.limit, query_data.after)

    @bp.get("/<int:row_id>")
    @require("admin")
    @bp.output(out)
    @bp.doc(summary=f"Read a {entity}")
    def read_one(row_id: int) -> Any:
        return get_or_404(session(), model, row_id, entity)

    @bp.patch("/<int:row_id>")
    @require("admin")
    @bp.input(patch)
    @bp.output(out)
    @bp.doc(summary=f"Change a {entity}")
    def update_one(row_id: int, json_data: BaseModel) -> Any:
        db = session()
        row = get_or_404(db, model, row_id, entity)
        changes = json_data.model_dump(exclude_unset=True)
        refuse_nulls(model, changes)
        if check:
            check(db, {**_columns(row), **changes})
        for name, value in changes.items():
            setattr(row, name, value)
        db.flush()
        record(
            db,
            "update",
            entity,
            row.id,
            json_data.model_dump(mode="json", exclude_unset=True),
        )
        db.commit()
        return row

    @bp.delete("/<int:row_id>")
    @require("admin")
    @bp.output({}, status_code=204)
    @bp.doc(summary=f"Delete a {entity}")
    def delete_one(row_id: int) -> tuple[str, int]:
        db = session()
        row = get_or_404(db, model, row_id, entity)
        db.delete(row)
        record(db, "delete", entity, row_id, {})
        db.commit()
        return "", 204


def refuse_nulls(model: type[Base], changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if value is None and not model.__table__.columns[name].nullable:
            raise Invalid(name, f"{name} cannot be null; leave it out to keep it")


def _columns(row: Base) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}
