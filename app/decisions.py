"""POST /v1/decisions: the hot path a door reader waits on.

One request is four statements on one connection, each on an index: the
token, the reader's door and site, the credential with everything the rules
need (as EXISTS subqueries), and the event insert. The insert and the answer
share a transaction, so no answer leaves without its event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apiflask import APIBlueprint
from flask import current_app
from sqlalchemy import text

from app import schemas
from app.auth import current, require
from app.cards import key_of, wiegand_from_raw
from app.db import session
from app.errors import Forbidden
from app.pins import pin_hash

bp = APIBlueprint("decisions", __name__, url_prefix="/v1/decisions", tag="Decisions")

GRANTED, DENIED = "granted", "denied"

# Every reason a decision can carry; clients may rely on these strings.
REASONS = (
    "access_granted",
    "door_unlocked",
    "unknown_credential",
    "credential_disabled",
    "credential_not_yet_valid",
    "credential_expired",
    "person_disabled",
    "no_access_group",
    "outside_schedule",
    "holiday",
    "door_locked_down",
    "pin_required",
    "pin_mismatch",
)

READER_CONTEXT = text(
    """
    SELECT d.id AS door_id, d.name AS door_name, d.mode, d.requires_pin,
           d.allows_pin_only, s.id AS site_id, s.timezone
    FROM readers r
    JOIN doors d ON d.id = r.door_id
    JOIN sites s ON s.id = d.site_id
    WHERE r.id = :reader_id
    """
)

_CREDENTIAL_FACTS = """
    SELECT c.id AS credential_id, c.enabled AS credential_enabled,
           c.valid_from AS credential_from, c.valid_until AS credential_until,
           p.id AS person_id, p.name AS person_name, p.enabled AS person_enabled,
           p.valid_from AS person_from, p.valid_until AS person_until,
           EXISTS (
               SELECT 1 FROM access_group_members m
               JOIN access_group_doors gd ON gd.group_id = m.group_id
               WHERE m.person_id = p.id AND gd.door_id = :door_id
           ) AS in_group,
           EXISTS (
               SELECT 1 FROM access_group_members m
               JOIN access_group_doors gd ON gd.group_id = m.group_id
               JOIN time_frames tf ON tf.group_id = m.group_id
               WHERE m.person_id = p.id AND gd.door_id = :door_id
                 AND tf.weekday = :weekday
                 AND tf.start_minute <= :minute AND :minute < tf.end_minute
           ) AS in_schedule,
           EXISTS (
               SELECT 1 FROM holidays h
               WHERE h.site_id = :site_id AND h.date = :local_date
           ) AS on_holiday,
           EXISTS (
               SELECT 1 FROM credentials pc
               WHERE pc.site_id = :site_id AND pc.kind = 'pin'
                 AND pc.pin_hash = CAST(:pin_hash AS bytea)
                 AND pc.person_id = p.id AND pc.enabled
                 AND (pc.valid_from IS NULL OR pc.valid_from <= :now)
                 AND (pc.valid_until IS NULL OR :now < pc.valid_until)
           ) AS pin_matches
    FROM credentials c
    JOIN people p ON p.id = c.person_id
    WHERE c.site_id = :site_id AND {match}
"""
# A raw read may also be a Wiegand card registered by facility and number
# (alt_*); the exact form wins when both are registered.
BY_CARD = text(
    _CREDENTIAL_FACTS.format(
        match="c.kind = 'card' AND ("
        "(c.card_format = :card_format AND c.card_key = :card_key)"
        " OR (c.card_format = :alt_format AND c.card_key = :alt_key))"
        " ORDER BY c.card_format = :card_format DESC LIMIT 1"
    )
)
BY_PIN = text(
    _CREDENTIAL_FACTS.format(
        match="c.kind = 'pin' AND c.pin_hash = CAST(:pin_hash AS bytea)"
    )
)

INSERT_EVENT = text(
    """
    INSERT INTO access_events (event_id, reader_id, door_id, site_id, person_id,
                               credential_id, decision, reason, occurred_at)
    VALUES (:event_id, :reader_id, :door_id, :site_id, :person_id,
            :credential_id, :decision, :reason, :occurred_at)
    ON CONFLICT (reader_id, event_id) DO NOTHING
    RETURNING id
    """
)

FIRST_ANSWER = text(
    """
    SELECT e.event_id, e.decision, e.reason, e.occurred_at, e.person_id,
           p.name AS person_name, e.door_id, d.name AS door_name
    FROM access_events e
    LEFT JOIN people p ON p.id = e.person_id
    LEFT JOIN doors d ON d.id = e.door_id
    WHERE e.reader_id = :reader_id AND e.event_id = :event_id
    """
)


@dataclass(frozen=True)
class LocalSlot:
    """Where a moment falls in a site's week: what schedules are written in."""

    date: dt.date
    weekday: int
    minute: int


def local_slot(moment: dt.datetime, timezone: str) -> LocalSlot:
    # Wall-clock time: after a DST change the same 08:00 frame still means
    # 08:00 on the clock, and a frame inside a skipped hour matches nothing.
    local = moment.astimezone(ZoneInfo(timezone))
    return LocalSlot(local.date(), local.isoweekday(), local.hour * 60 + local.minute)


def _within(
    start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime
) -> str:
    if start is not None and now < start:
        return "before"
    if end is not None and now >= end:
        return "after"
    return "inside"


def evaluate(
    door: Any, facts: Any | None, *, card_given: bool, pin_given: bool, now: dt.datetime
) -> tuple[str, str]:
    """Apply the rules, in order, to what the queries found."""
    if door.mode == "locked_down":
        return DENIED, "door_locked_down"
    if door.mode == "unlocked":
        return GRANTED, "door_unlocked"
    if facts is None:
        return DENIED, "unknown_credential"
    if not facts.credential_enabled:
        return DENIED, "credential_disabled"
    window = _within(facts.credential_from, facts.credential_until, now)
    if window == "before":
        return DENIED, "credential_not_yet_valid"
    if window == "after":
        return DENIED, "credential_expired"
    if not facts.person_enabled:
        return DENIED, "person_disabled"
    # A person outside their own validity window counts as disabled.
    if _within(facts.person_from, facts.person_until, now) != "inside":
        return DENIED, "person_disabled"
    if door.requires_pin and card_given:
        if not pin_given:
            return DENIED, "pin_required"
        if not facts.pin_matches:
            return DENIED, "pin_mismatch"
    if not facts.in_group:
        return DENIED, "no_access_group"
    if facts.on_holiday:
        return DENIED, "holiday"
    if not facts.in_schedule:
        return DENIED, "outside_schedule"
    return GRANTED, "access_granted"


def _now() -> dt.datetime:
    return current_app.extensions["smart_access.clock"]()


@bp.post("")
@require("reader")
@bp.input(schemas.DecisionIn)
@bp.output(schemas.DecisionOut)
@bp.doc(
    summary="Decide whether a door opens",
    description="Idempotent by event_id: a retry returns the first answer.",
)
def decide(json_data: schemas.DecisionIn) -> dict:
    db = session()
    reader_id = current().reader_id
    now = _now()

    door = db.execute(READER_CONTEXT, {"reader_id": reader_id}).first()
    if door is None:
        raise Forbidden("the reader of this token no longer exists")
    slot = local_slot(now, door.timezone)
    pin_digest = (
        pin_hash(
            current_app.extensions["smart_access.settings"].pin_hash_key, json_data.pin
        )
        if json_data.pin is not None
        else None
    )
    params: dict[str, Any] = {
        "site_id": door.site_id,
        "door_id": door.door_id,
        "weekday": slot.weekday,
        "minute": slot.minute,
        "local_date": slot.date,
        "pin_hash": pin_digest,
        "now": now,
    }

    facts = None
    if json_data.card is not None:
        key = key_of(json_data.card)
        alt = None
        if key.format == "raw":
            alt = wiegand_from_raw(json_data.card.hex, json_data.card.bit_length)
        params.update(
            card_format=key.format,
            card_key=key.key,
            alt_format=alt.format if alt else None,
            alt_key=alt.key if alt else None,
        )
        facts = db.execute(BY_CARD, params).first()
    elif door.allows_pin_only:
        facts = db.execute(BY_PIN, params).first()
    decision, reason = evaluate(
        door,
        facts,
        card_given=json_data.card is not None,
        pin_given=json_data.pin is not None,
        now=now,
    )

    inserted = db.execute(
        INSERT_EVENT,
        {
            "event_id": json_data.event_id,
            "reader_id": reader_id,
            "door_id": door.door_id,
            "site_id": door.site_id,
            "person_id": facts.person_id if facts else None,
            "credential_id": facts.credential_id if facts else None,
            "decision": decision,
            "reason": reason,
            "occurred_at": now,
        },
    ).first()
    if inserted is None:
        answer = _first_answer(db, reader_id, json_data.event_id)
        db.commit()
        return answer
    db.commit()

    return {
        "event_id": json_data.event_id,
        "decision": decision,
        "reason": reason,
        "person": {"id": facts.person_id, "name": facts.person_name} if facts else None,
        "door": {"id": door.door_id, "name": door.door_name},
        "occurred_at": now,
    }


def _first_answer(db: Any, reader_id: int, event_id: uuid.UUID) -> dict:
    row = db.execute(FIRST_ANSWER, {"reader_id": reader_id, "event_id": event_id}).one()
    person = None
    if row.person_id is not None:
        person = {"id": row.person_id, "name": row.person_name}
    return {
        "event_id": row.event_id,
        "decision": row.decision,
        "reason": row.reason,
        "person": person,
        "door": {"id": row.door_id, "name": row.door_name},
        "occurred_at": row.occurred_at,
    }
