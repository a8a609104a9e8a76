"""API tokens: issued by admins, shown once, revoked rather than deleted.

A revoked token keeps its row so the audit log can still name who it was.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from sqlalchemy import func, select

from app import schemas
from app.audit import record
from app.auth import current, issue_token, require
from app.crud import get_or_404, page
from app.db import session
from app.errors import Conflict, Invalid
from app.models import ApiToken, Reader

bp = APIBlueprint("tokens", __name__, url_prefix="/v1/tokens", tag="Tokens")


@bp.post("")
@require("admin")
@bp.input(schemas.TokenIn)
@bp.output(schemas.TokenCreated, status_code=201)
def create_token(json_data: schemas.TokenIn) -> dict:
    """Issue a token. The clear token is in this answer and nowhere else."""
    db = session()
    if json_data.reader_id is not None and db.get(Reader, json_data.reader_id) is None:
        raise Invalid("reader_id", f"reader {json_data.reader_id} does not exist")
    row, token = issue_token(db, json_data.name, json_data.role, json_data.reader_id)
    record(db, "create", "token", row.id, json_data.model_dump(mode="json"))
    db.commit()
    return {**schemas.TokenOut.model_validate(row).model_dump(), "token": token}


@bp.get("")
@require("admin")
@bp.input(schemas.ListQuery, location="query")
@bp.output(schemas.TokenPage)
def list_tokens(query_data: schemas.ListQuery) -> dict:
    """List tokens with their roles; hashes are never returned."""
    return page(
        session(), select(ApiToken), ApiToken, query_data.limit, query_data.after
    )


@bp.get("/<int:token_id>")
@require("admin")
@bp.output(schemas.TokenOut)
def read_token(token_id: int) -> ApiToken:
    """Read one token's name, role and state."""
    return get_or_404(session(), ApiToken, token_id, "token")


@bp.delete("/<int:token_id>")
@require("admin")
@bp.output({}, status_code=204)
def revoke_token(token_id: int) -> tuple[str, int]:
    """Revoke a token; it stops working at once."""
    db = session()
    row = get_or_404(db, ApiToken, token_id, "token")
    if row.id == current().token_id:
        raise Conflict(
            "a token cannot revoke itself; use another admin token",
            {"id": token_id},
        )
    if row.revoked_at is None:
        row.revoked_at = func.now()
        record(db, "revoke", "token", row.id, {})
    db.commit()
    return "", 204
