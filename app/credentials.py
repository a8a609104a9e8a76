"""Credentials: cards and PINs of people, each unique within its site."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import current_app
from sqlalchemy import select

from app import schemas
from app.audit import record
from app.auth import require
from app.cards import key_of
from app.crud import get_or_404, page, refuse_nulls
from app.db import session
from app.models import Credential
from app.people import window_in_order
from app.pins import pin_hash

bp = APIBlueprint(
    "credentials", __name__, url_prefix="/v1/credentials", tag="Credentials"
)


def to_out(row: Credential) -> dict[str, Any]:
    card = None
    if row.kind == "card":
        card = {"format": row.card_format, "bit_length": row.bit_length}
        if row.card_format == "raw":
            card["hex"] = row.card_key.split(":", 1)[1]
        else:
            card["facility_code"] = row.facility_code
            card["card_number"] = row.card_number
    return {
        "id": row.id,
        "person_id": row.person_id,
        "site_id": row.site_id,
        "kind": row.kind,
        "card": card,
        "enabled": row.enabled,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "created_at": row.created_at,
    }


@bp.post("")
@require("admin")
@bp.input(schemas.CredentialIn)
@bp.output(schemas.CredentialOut, status_code=201)
def create_credential(json_data: schemas.CredentialIn) -> dict:
    """Issue a card or a PIN. A PIN is stored only as its keyed hash."""
    db = session()
    row = Credential(
        person_id=json_data.person_id,
        site_id=json_data.site_id,
        enabled=json_data.enabled,
        valid_from=json_data.valid_from,
        valid_until=json_data.valid_until,
    )
    if json_data.card is not None:
        key = key_of(json_data.card)
        row.kind = "card"
        row.card_format = key.format
        row.bit_length = key.bit_length
        row.card_key = key.key
        row.facility_code = key.facility_code
        row.card_number = key.card_number
    else:
        row.kind = "pin"
        row.pin_hash = pin_hash(
            current_app.extensions["smart_access.settings"].pin_hash_key,
            json_data.pin,
        )
    db.add(row)
    db.flush()

    audited = json_data.model_dump(mode="json", exclude={"pin"})
    if json_data.pin is not None:
        audited["pin"] = "(set)"
    record(db, "create", "credential", row.id, audited)
    db.commit()
    return to_out(row)


@bp.get("")
@require("admin")
@bp.input(schemas.CredentialQuery, location="query")
@bp.output(schemas.CredentialPage)
def list_credentials(query_data: schemas.CredentialQuery) -> dict:
    """List credentials, optionally of one person or one site."""
    stmt = select(Credential)
    if query_data.person_id is not None:
        stmt = stmt.where(Credential.person_id == query_data.person_id)
    if query_data.site_id is not None:
        stmt = stmt.where(Credential.site_id == query_data.site_id)
    result = page(session(), stmt, Credential, query_data.limit, query_data.after)
    result["items"] = [to_out(row) for row in result["items"]]
    return result


@bp.get("/<int:credential_id>")
@require("admin")
@bp.output(schemas.CredentialOut)
def read_credential(credential_id: int) -> dict:
    """Read one credential; a PIN's digits are never returned."""
    return to_out(get_or_404(session(), Credential, credential_id, "credential"))


@bp.patch("/<int:credential_id>")
@require("admin")
@bp.input(schemas.CredentialPatch)
@bp.output(schemas.CredentialOut)
def update_credential(credential_id: int, json_data: schemas.CredentialPatch) -> dict:
    """Enable, disable or re-date a credential."""
    db = session()
    row = get_or_404(db, Credential, credential_id, "credential")
    changes = json_data.model_dump(exclude_unset=True)
    refuse_nulls(Credential, changes)
    window_in_order(
        db,
        {
            "valid_from": changes.get("valid_from", row.valid_from),
            "valid_until": changes.get("valid_until", row.valid_until),
        },
    )
    for name, value in changes.items():
        setattr(row, name, value)
    record(
        db,
        "update",
        "credential",
        row.id,
        json_data.model_dump(mode="json", exclude_unset=True),
    )
    db.commit()
    return to_out(row)


@bp.delete("/<int:credential_id>")
@require("admin")
@bp.output({}, status_code=204)
def delete_credential(credential_id: int) -> tuple[str, int]:
    """Withdraw a credential for good."""
    db = session()
    db.delete(get_or_404(db, Credential, credential_id, "credential"))
    record(db, "delete", "credential", credential_id, {})
    db.commit()
    return "", 204
