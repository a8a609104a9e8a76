"""Holidays: dates on which a site's schedules grant nobody."""

from apiflask import APIBlueprint

from app import schemas
from app.crud import register_crud
from app.models import Holiday

bp = APIBlueprint("holidays", __name__, url_prefix="/v1/holidays", tag="Holidays")

register_crud(
    bp,
    model=Holiday,
    entity="holiday",
    create=schemas.HolidayIn,
    patch=schemas.HolidayPatch,
    out=schemas.HolidayOut,
    listing=schemas.HolidayPage,
    query=schemas.HolidayQuery,
    filters=("site_id",),
)
