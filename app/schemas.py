"""Request and response models: the same classes validate and document.

Every request model forbids unknown fields, so a typo is an error rather than
a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from app.cards import RAW_MAX_BITS, WIEGAND_FORMATS

Name = Annotated[str, Field(min_length=1, max_length=200)]
MAX_ID = 2**63 - 1  # ids are PostgreSQL bigint
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
DoorMode = Literal["normal", "locked_down", "unlocked"]
Direction = Literal["in", "out"]
Role = Literal["admin", "reader", "auditor"]
Decision = Literal["granted", "denied"]
Pin = Annotated[str, Field(pattern=r"^[0-9]{4,12}$", description="4 to 12 digits")]
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_timezone(name: str) -> str:
    # ZoneInfo also accepts file paths such as "../etc/x"; the IANA list does not.
    if name not in _zones():
        raise ValueError(f"'{name}' is not an IANA time zone such as 'Europe/Berlin'")
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise ValueError(f"'{name}' has no tz data on this server") from None
    return name


TimeZone = Annotated[str, AfterValidator(_check_timezone)]


# Checks that span fields raise ValueError("<field>: <message>"), so that the
# error handler can still name one field instead of the whole object.


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _window_in_order(model: BaseModel) -> BaseModel:
    start = getattr(model, "valid_from", None)
    end = getattr(model, "valid_until", None)
    if start is not None and end is not None and end <= start:
        raise ValueError("valid_until: must be later than valid_from")
    return model


class ListQuery(Request):
    limit: int = Field(100, ge=1, le=500)
    after: int = Field(0, ge=0, le=MAX_ID, description="return ids greater than this")


class Page(Reply):
    next_after: int | None = Field(
        description="pass as `after` for the next page; null on the last page"
    )


class Deleted(Reply):
    deleted: bool = True


# --- sites ---------------------------------------------------------------


class SiteIn(Request):
    name: Name
    timezone: TimeZone = Field(description="IANA time zone, e.g. Europe/Berlin")


class SitePatch(Request):
    name: Name | None = None
    timezone: TimeZone | None = None


class SiteOut(Reply):
    id: int
    name: str
    timezone: str
    created_at: dt.datetime


class SitePage(Page):
    items: list[SiteOut]


# --- doors ---------------------------------------------------------------


class DoorIn(Request):
    site_id: Id
    name: Name
    mode: DoorMode = "normal"
    requires_pin: bool = Field(False, description="card and PIN both needed")
    allows_pin_only: bool = Field(False, description="a PIN alone may open it")


class DoorPatch(Request):
    name: Name | None = None
    mode: DoorMode | None = None
    requires_pin: bool | None = None
    allows_pin_only: bool | None = None


class DoorOut(Reply):
    id: int
    site_id: int
    name: str
    mode: DoorMode
    requires_pin: bool
    allows_pin_only: bool
    created_at: dt.datetime


class DoorPage(Page):
    items: list[DoorOut]


class DoorQuery(ListQuery):
    site_id: Id | None = None


# --- readers -------------------------------------------------------------


class ReaderIn(Request):
    door_id: Id
    name: Name
    direction: Direction


class ReaderPatch(Request):
    name: Name | None = None
    direction: Direction | None = None


class ReaderOut(Reply):
    id: int
    door_id: int
    name: str
    direction: Direction
    created_at: dt.datetime


class ReaderPage(Page):
    items: list[ReaderOut]


class ReaderQuery(ListQuery):
    door_id: Id | None = None


# --- people --------------------------------------------------------------


class PersonIn(Request):
    name: Name
    enabled: bool = True
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    check_window = model_validator(mode="after")(_window_in_order)


class PersonPatch(Request):
    name: Name | None = None
    enabled: bool | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    check_window = model_validator(mode="after")(_window_in_order)


class PersonOut(Reply):
    id: int
    name: str
    enabled: bool
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    created_at: dt.datetime


class PersonPage(Page):
    items: list[PersonOut]


# --- cards and credentials ----------------------------------------------

_H26 = WIEGAND_FORMATS["h10301"]
_H37 = WIEGAND_FORMATS["h10304"]


class H10301Card(Request):
    """Wiegand 26-bit: facility code 0-255, card number 0-65535."""

    format: Literal["h10301"]
    facility_code: int = Field(ge=0, le=_H26[1])
    card_number: int = Field(ge=0, le=_H26[2])


class H10304Card(Request):
    """Wiegand 37-bit: facility code 0-65535, card number 0-524287."""

    format: Literal["h10304"]
    facility_code: int = Field(ge=0, le=_H37[1])
    card_number: int = Field(ge=0, le=_H37[2])


class RawCard(Request):
    """Any other card, as its bits in hex and their count."""

    format: Literal["raw"]
    hex: str = Field(pattern=r"^[0-9a-fA-F]{1,64}$")
    bit_length: int = Field(ge=1, le=RAW_MAX_BITS)

    @model_validator(mode="after")
    def _fits(self) -> RawCard:
        needed = int(self.hex, 16).bit_length()
        if needed > self.bit_length:
            raise ValueError(
                f"hex: needs {needed} bits, more than bit_length {self.bit_length}"
            )
        return self


Card = Annotated[H10301Card | H10304Card | RawCard, Field(discriminator="format")]


class CredentialIn(Request):
    """Exactly one of ``card`` and ``pin``."""

    person_id: Id
    site_id: Id
    card: Card | None = None
    pin: Pin | None = None
    enabled: bool = True
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> CredentialIn:
        if (self.card is None) == (self.pin is None):
            raise ValueError("card: give exactly one of 'card' and 'pin'")
        return _window_in_order(self)


class CredentialPatch(Request):
    """The card or PIN itself cannot change: delete and create instead."""

    enabled: bool | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    check_window = model_validator(mode="after")(_window_in_order)


class CardOut(Reply):
    format: Literal["h10301", "h10304", "raw"]
    bit_length: int
    facility_code: int | None = None
    card_number: int | None = None
    hex: str | None = None


class CredentialOut(Reply):
    id: int
    person_id: int
    site_id: int
    kind: Literal["card", "pin"]
    card: CardOut | None = Field(description="null for a PIN, which is never shown")
    enabled: bool
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    created_at: dt.datetime


class CredentialPage(Page):
    items: list[CredentialOut]


class CredentialQuery(ListQuery):
    person_id: Id | None = None
    site_id: Id | None = None


# --- access groups -------------------------------------------------------


class TimeFrameIn(Request):
    """A weekly window in the site's local time; ``end`` is exclusive."""

    weekday: int = Field(ge=1, le=7, description="ISO weekday: 1 Monday .. 7 Sunday")
    start: str = Field(pattern=HHMM.pattern, examples=["08:00"])
    end: str = Field(pattern=HHMM.pattern, examples=["18:00", "24:00"])

    @model_validator(mode="after")
    def _in_order(self) -> TimeFrameIn:
        if minutes(self.end) <= minutes(self.start):
            raise ValueError("end: must be later than start (use 24:00 for midnight)")
        return self


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


class TimeFrameOut(Reply):
    weekday: int
    start: str
    end: str


class AccessGroupIn(Request):
    site_id: Id
    name: Name
    person_ids: list[Id] = Field(default_factory=list, max_length=10_000)
    door_ids: list[Id] = Field(default_factory=list, max_length=1_000)
    time_frames: list[TimeFrameIn] = Field(default_factory=list, max_length=100)


class AccessGroupPatch(Request):
    """Each list given replaces the group's whole list."""

    name: Name | None = None
    person_ids: list[Id] | None = Field(None, max_length=10_000)
    door_ids: list[Id] | None = Field(None, max_length=1_000)
    time_frames: list[TimeFrameIn] | None = Field(None, max_length=100)


class AccessGroupOut(Reply):
    id: int
    site_id: int
    name: str
    person_ids: list[int]
    door_ids: list[int]
    time_frames: list[TimeFrameOut]
    created_at: dt.datetime


class AccessGroupPage(Page):
    items: list[AccessGroupOut]


class AccessGroupQuery(ListQuery):
    site_id: Id | None = None


# --- holidays ------------------------------------------------------------


class HolidayIn(Request):
    site_id: Id
    date: dt.date
    name: Name


class HolidayPatch(Request):
    date: dt.date | None = None
    name: Name | None = None


class HolidayOut(Reply):
    id: int
    site_id: int
    date: dt.date
    name: str


class HolidayPage(Page):
    items: list[HolidayOut]


class HolidayQuery(ListQuery):
    site_id: Id | None = None


# --- tokens --------------------------------------------------------------


class TokenIn(Request):
    name: Name
    role: Role
    reader_id: Id | None = Field(
        None, description="required for, and only for, role reader"
    )

    @model_validator(mode="after")
    def _binding(self) -> TokenIn:
        if (self.role == "reader") != (self.reader_id is not None):
            raise ValueError("reader_id: required for role reader, and only for it")
        return self


class TokenOut(Reply):
    id: int
    name: str
    role: Role
    reader_id: int | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="shown once; only its hash is stored")


class TokenPage(Page):
    items: list[TokenOut]


# --- decisions -----------------------------------------------------------


class DecisionIn(Request):
    event_id: uuid.UUID = Field(
        description="chosen by the reader; a retry with the same id returns the first answer"
    )
    card: Card | None = None
    pin: Pin | None = None

    @model_validator(mode="after")
    def _something(self) -> DecisionIn:
        if self.card is None and self.pin is None:
            raise ValueError("card: give a 'card', a 'pin', or both")
        return self


class PersonRef(Reply):
    id: int
    name: str | None = Field(description="null once the person is deleted")


class DoorRef(Reply):
    id: int
    name: str | None = Field(description="null once the door is deleted")


class DecisionOut(Reply):
    event_id: uuid.UUID
    decision: Decision
    reason: str
    person: PersonRef | None
    door: DoorRef
    occurred_at: dt.datetime


# --- events and audit ----------------------------------------------------


class EventQuery(Request):
    door_id: Id | None = None
    person_id: Id | None = None
    decision: Decision | None = None
    since: AwareDatetime | None = Field(None, description="inclusive lower bound")
    until: AwareDatetime | None = Field(None, description="exclusive upper bound")
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=100, description="from next_cursor")


class EventOut(Reply):
    id: int
    event_id: uuid.UUID
    reader_id: int
    door_id: int
    site_id: int
    person_id: int | None
    credential_id: int | None
    decision: Decision
    reason: str
    occurred_at: dt.datetime


class EventPage(Reply):
    items: list[EventOut]
    next_cursor: str | None = Field(description="null on the last page")


class AuditQuery(Request):
    entity: str | None = Field(None, max_length=32)
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=100)


class AuditOut(Reply):
    id: int
    token_id: int | None
    token_name: str
    action: str
    entity: str
    entity_id: str
    changes: dict
    at: dt.datetime


class AuditPage(Reply):
    items: list[AuditOut]
    next_cursor: str | None


class Health(Reply):
    status: str
    schema_revision: str | None = None
    expected_revision: str | None = None
