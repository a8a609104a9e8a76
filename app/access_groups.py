"""Access groups: which people may open which doors, and when.

The group row, its members, its doors and its weekly time frames are written
together; a PATCH that gives a list replaces that list whole.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import schemas
from app.audit import record
from app.auth import require
from app.crud import get_or_404, page, refuse_nulls
from app.db import session
from app.errors import Invalid
from app.models import AccessGroup, AccessGroupDoor, AccessGroupMember, Door, TimeFrame

bp = APIBlueprint(
    "access_groups", __name__, url_prefix="/v1/access-groups", tag="Access groups"
)


def to_out(db: Session, group: AccessGroup) -> dict[str, Any]:
    people = db.scalars(
        select(AccessGroupMember.person_id)
        .where(AccessGroupMember.group_id == group.id)
        .order_by(AccessGroupMember.person_id)
    ).all()
    doors = db.scalars(
        select(AccessGroupDoor.door_id)
        .where(AccessGroupDoor.group_id == group.id)
        .order_by(AccessGroupDoor.door_id)
    ).all()
    frames = db.scalars(
        select(TimeFrame)
        .where(TimeFrame.group_id == group.id)
        .order_by(TimeFrame.weekday, TimeFrame.start_minute)
    ).all()
    return {
        "id": group.id,
        "site_id": group.site_id,
        "name": group.name,
        "person_ids": list(people),
        "door_ids": list(doors),
        "time_frames": [
            {
                "weekday": f.weekday,
                "start": schemas.hhmm(f.start_minute),
                "end": schemas.hhmm(f.end_minute),
            }
            for f in frames
        ],
        "created_at": group.created_at,
    }


def _replace_people(db: Session, group_id: int, person_ids: list[int]) -> None:
    db.execute(delete(AccessGroupMember).where(AccessGroupMember.group_id == group_id))
    db.add_all(
        AccessGroupMember(group_id=group_id, person_id=pid) for pid in set(person_ids)
    )


def _replace_doors(db: Session, group: AccessGroup, door_ids: list[int]) -> None:
    wanted = set(door_ids)
    found = db.execute(select(Door.id, Door.site_id).where(Door.id.in_(wanted))).all()
    missing = wanted - {row.id for row in found}
    if missing:
        raise Invalid("door_ids", f"no such doors: {sorted(missing)}")
    foreign = sorted(row.id for row in found if row.site_id != group.site_id)
    if foreign:
        raise Invalid(
            "door_ids",
            f"doors {foreign} are not at site {group.site_id}, the group's site",
        )
    db.execute(delete(AccessGroupDoor).where(AccessGroupDoor.group_id == group.id))
    db.add_all(AccessGroupDoor(group_id=group.id, door_id=did) for did in wanted)


def _replace_frames(
    db: Session, group_id: int, frames: list[schemas.TimeFrameIn]
) -> None:
    db.execute(delete(TimeFrame).where(TimeFrame.group_id == group_id))
    db.add_all(
        TimeFrame(
            group_id=group_id,
            weekday=f.weekday,
            start_minute=schemas.minutes(f.start),
            end_minute=schemas.minutes(f.end),
        )
        for f in frames
    )


@bp.post("")
@require("admin")
@bp.input(schemas.AccessGroupIn)
@bp.output(schemas.AccessGroupOut, status_code=201)
def create_group(json_data: schemas.AccessGroupIn) -> dict:
    """Create a group with its people, doors and weekly time frames."""
    db = session()
    group = AccessGroup(site_id=json_data.site_id, name=json_data.name)
    db.add(group)
    db.flush()
    _replace_people(db, group.id, json_data.person_ids)
    _replace_doors(db, group, json_data.door_ids)
    _replace_frames(db, group.id, json_data.time_frames)
    db.flush()

    record(db, "create", "access_group", group.id, json_data.model_dump(mode="json"))
    db.commit()
    return to_out(db, group)


@bp.get("")
@require("admin")
@bp.input(schemas.AccessGroupQuery, location="query")
@bp.output(schemas.AccessGroupPage)
def list_groups(query_data: schemas.AccessGroupQuery) -> dict:
    """List groups, optionally of one site."""
    db = session()
    stmt = select(AccessGroup)
    if query_data.site_id is not None:
        stmt = stmt.where(AccessGroup.site_id == query_data.site_id)
    result = page(db, stmt, AccessGroup, query_data.limit, query_data.after)
    # Limitation: three queries per group listed; pages are admin-sized, not hot.
    result["items"] = [to_out(db, group) for group in result["items"]]
    return result


@bp.get("/<int:group_id>")
@require("admin")
@bp.output(schemas.AccessGroupOut)
def read_group(group_id: int) -> dict:
    """Read one group with its people, doors and time frames."""
    db = session()
    return to_out(db, get_or_404(db, AccessGroup, group_id, "access_group"))


@bp.patch("/<int:group_id>")
@require("admin")
@bp.input(schemas.AccessGroupPatch)
@bp.output(schemas.AccessGroupOut)
def update_group(group_id: int, json_data: schemas.AccessGroupPatch) -> dict:
    """Rename a group or replace any of its lists."""
    db = session()
    group = get_or_404(db, AccessGroup, group_id, "access_group")
    changes = json_data.model_dump(exclude_unset=True)
    refuse_nulls(AccessGroup, {k: v for k, v in changes.items() if k == "name"})
    for name in ("person_ids", "door_ids", "time_frames"):
        if name in changes and changes[name] is None:
            raise Invalid(name, f"{name} cannot be null; send [] to empty it")

    if "name" in changes:
        group.name = changes["name"]
    if json_data.person_ids is not None:
        _replace_people(db, group.id, json_data.person_ids)
    if json_data.door_ids is not None:
        _replace_doors(db, group, json_data.door_ids)
    if json_data.time_frames is not None:
        _replace_frames(db, group.id, json_data.time_frames)
    db.flush()

    record(
        db,
        "update",
        "access_group",
        group.id,
        json_data.model_dump(mode="json", exclude_unset=True),
    )
    db.commit()
    return to_out(db, group)


@bp.delete("/<int:group_id>")
@require("admin")
@bp.output({}, status_code=204)
def delete_group(group_id: int) -> tuple[str, int]:
    """Delete a group; its memberships and time frames go with it."""
    db = session()
    db.delete(get_or_404(db, AccessGroup, group_id, "access_group"))
    record(db, "delete", "access_group", group_id, {})
    db.commit()
    return "", 204
