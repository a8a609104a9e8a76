"""Doors: belong to a site; their mode overrides every schedule."""

from apiflask import APIBlueprint

from app import schemas
from app.crud import register_crud
from app.models import Door

bp = APIBlueprint("doors", __name__, url_prefix="/v1/doors", tag="Doors")

register_crud(
    bp,
    model=Door,
    entity="door",
    create=schemas.DoorIn,
    patch=schemas.DoorPatch,
    out=schemas.DoorOut,
    listing=schemas.DoorPage,
    query=schemas.DoorQuery,
    filters=("site_id",),
)
