"""Bearer tokens and the roles they carry.

Tokens are 256 random bits, so a plain SHA-256 is enough to store them: there
is nothing to enumerate, and the lookup by hash stays one indexed read.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Forbidden, Unauthorized
from app.models import ApiToken

TOKEN_PREFIX = "sa_"


@dataclass(frozen=True)
class Principal:
    token_id: int | None
    name: str
    role: str
    reader_id: int | None = None


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def issue_token(
    db: Session, name: str, role: str, reader_id: int | None = None
) -> tuple[ApiToken, str]:
    """Add a token row to ``db`` and return it with the clear token."""
    token = new_token()
    row = ApiToken(
        name=name, role=role, reader_id=reader_id, token_hash=token_hash(token)
    )
    db.add(row)
    db.flush()
    return row, token


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized(
            "this endpoint needs a token: send 'Authorization: Bearer <token>'"
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "the Authorization header must read 'Bearer <token>'",
            {"scheme": scheme},
        )
    return token.strip()


def authenticate() -> Principal:
    from app.db import session

    digest = token_hash(_bearer())
    row = (
        session()
        .execute(
            select(ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.reader_id).where(
                ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None)
            )
        )
        .first()
    )
    if row is None:
        raise Unauthorized("the token is unknown or revoked")
    return Principal(row.id, row.name, row.role, row.reader_id)


def current() -> Principal:
    return g.principal


def require(*roles: str) -> Callable:
    """Let through only tokens whose role is one of ``roles``."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            if principal.role not in roles:
                raise Forbidden(
                    f"a {principal.role} token cannot use this endpoint; "
                    f"it needs one of: {', '.join(roles)}",
                    {"role": principal.role, "allowed": list(roles)},
                )
            g.principal = principal
            return view(*args, **kwargs)

        # APIFlask reads _spec for the OpenAPI document; the copy keeps the
        # wrapped view's annotations and adds the bearer requirement.
        spec = getattr(view, "_spec", {})
        wrapper._spec = {
            **spec,
            "security": "bearer",
            "responses": {
                403: "the token's role may not use this endpoint",
                503: "the database is unavailable",
                **(spec.get("responses") or {}),
            },
        }
        wrapper.required_roles = roles
        return wrapper

    return decorate
