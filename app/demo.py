"""Demo data for APP_ENV=local, loaded by ``migrate``; safe to load twice.

The marker is the demo site's name: when it exists, nothing is added, so an
operator's edits to the demo records survive a redeploy.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.auth import token_hash
from app.cards import wiegand_key
from app.models import (
    AccessGroup,
    AccessGroupDoor,
    AccessGroupMember,
    ApiToken,
    Credential,
    Door,
    Holiday,
    Person,
    Reader,
    Site,
    TimeFrame,
)
from app.pins import pin_hash

DEMO_SITE = "Demo HQ"


def load(db: Session, pin_key: str) -> bool:
    """Add the demo site and everything on it; False when already there."""
    if db.scalar(select(Site.id).where(Site.name == DEMO_SITE)) is not None:
        return False

    site = Site(name=DEMO_SITE, timezone="Europe/Berlin")
    db.add(site)
    db.flush()
    entrance = Door(site_id=site.id, name="Main entrance")
    server_room = Door(site_id=site.id, name="Server room", requires_pin=True)
    lobby = Door(site_id=site.id, name="Lobby", mode="unlocked")
    db.add_all([entrance, server_room, lobby])
    db.flush()
    db.add_all(
        [
            Reader(door_id=entrance.id, name="Entrance in", direction="in"),
            Reader(door_id=entrance.id, name="Entrance out", direction="out"),
            Reader(door_id=server_room.id, name="Server room in", direction="in"),
            Reader(door_id=lobby.id, name="Lobby in", direction="in"),
        ]
    )

    alice = Person(name="Alice Example")
    bob = Person(name="Bob Example")
    db.add_all([alice, bob])
    db.flush()
    for person, number in ((alice, 1001), (bob, 1002)):
        key = wiegand_key("h10301", 42, number)
        db.add(
            Credential(
                person_id=person.id,
                site_id=site.id,
                kind="card",
                card_format=key.format,
                bit_length=key.bit_length,
                card_key=key.key,
                facility_code=key.facility_code,
                card_number=key.card_number,
            )
        )
    db.add(
        Credential(
            person_id=alice.id,
            site_id=site.id,
            kind="pin",
            pin_hash=pin_hash(pin_key, "246810"),
        )
    )

    staff = AccessGroup(site_id=site.id, name="Staff")
    admins = AccessGroup(site_id=site.id, name="Server admins")
    db.add_all([staff, admins])
    db.flush()
    db.add_all(
        [
            AccessGroupMember(group_id=staff.id, person_id=alice.id),
            AccessGroupMember(group_id=staff.id, person_id=bob.id),
            AccessGroupMember(group_id=admins.id, person_id=alice.id),
            AccessGroupDoor(group_id=staff.id, door_id=entrance.id),
            AccessGroupDoor(group_id=admins.id, door_id=server_room.id),
        ]
    )
    for weekday in range(1, 6):
        db.add(
            TimeFrame(
                group_id=staff.id, weekday=weekday, start_minute=420, end_minute=1140
            )
        )
        db.add(
            TimeFrame(
                group_id=admins.id, weekday=weekday, start_minute=0, end_minute=1440
            )
        )
    db.add(Holiday(site_id=site.id, date=_christmas(), name="Christmas Day"))
    db.flush()
    return True


def _christmas() -> dt.date:
    return dt.date(dt.date.today().year, 12, 25)


def bootstrap_admin(db: Session, token: str) -> None:
    """Store BOOTSTRAP_ADMIN_TOKEN's hash as an admin token, once."""
    db.execute(
        insert(ApiToken)
        .values(name="bootstrap", role="admin", token_hash=token_hash(token))
        .on_conflict_do_nothing(index_elements=["token_hash"])
    )
