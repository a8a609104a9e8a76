"""Readers: the devices on a door. Each authenticates with its own token."""

from apiflask import APIBlueprint

from app import schemas
from app.crud import register_crud
from app.models import Reader

bp = APIBlueprint("readers", __name__, url_prefix="/v1/readers", tag="Readers")

register_crud(
    bp,
    model=Reader,
    entity="reader",
    create=schemas.ReaderIn,
    patch=schemas.ReaderPatch,
    out=schemas.ReaderOut,
    listing=schemas.ReaderPage,
    query=schemas.ReaderQuery,
    filters=("door_id",),
)
