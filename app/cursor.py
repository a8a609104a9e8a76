"""Opaque keyset cursors over (timestamp, id), newest first."""

from __future__ import annotations

import base64
import datetime as dt

from app.errors import Invalid


def encode_cursor(at: dt.datetime, row_id: int) -> str:
    raw = f"{at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, row_id = base64.urlsafe_b64decode(padded).decode().split("|")
        moment, number = dt.datetime.fromisoformat(at), int(row_id)
        if moment.tzinfo is None or not 0 < number < 2**63:
            raise ValueError
        return moment, number
    except ValueError:
        raise Invalid(
            "cursor", f"cursor {cursor!r} is not one this API returned as next_cursor"
        ) from None
