"""People: enabled or not, and valid only within their window."""

from typing import Any

from apiflask import APIBlueprint
from sqlalchemy.orm import Session

from app import schemas
from app.crud import register_crud
from app.errors import Invalid
from app.models import Person

bp = APIBlueprint("people", __name__, url_prefix="/v1/people", tag="People")


def window_in_order(_db: Session, values: dict[str, Any]) -> None:
    """A PATCH may move one end of the window past the stored other end."""
    start, end = values.get("valid_from"), values.get("valid_until")
    if start is not None and end is not None and end <= start:
        raise Invalid("valid_until", "valid_until must be later than valid_from")


register_crud(
    bp,
    model=Person,
    entity="person",
    create=schemas.PersonIn,
    patch=schemas.PersonPatch,
    out=schemas.PersonOut,
    listing=schemas.PersonPage,
    query=schemas.ListQuery,
    check=window_in_order,
)
