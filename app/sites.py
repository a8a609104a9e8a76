"""Sites: a place with one IANA time zone, in which its schedules run."""

from apiflask import APIBlueprint

from app import schemas
from app.crud import register_crud
from app.models import Site

bp = APIBlueprint("sites", __name__, url_prefix="/v1/sites", tag="Sites")

register_crud(
    bp,
    model=Site,
    entity="site",
    create=schemas.SiteIn,
    patch=schemas.SitePatch,
    out=schemas.SiteOut,
    listing=schemas.SitePage,
    query=schemas.ListQuery,
)
