"""Tables of the Smart Access domain.

The migrations in ``app/migrations`` are written by hand from these models;
``tests/app/test_migrations.py`` checks that the two agree.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DOOR_MODES = ("normal", "locked_down", "unlocked")
DIRECTIONS = ("in", "out")
ROLES = ("admin", "reader", "auditor")
CARD_FORMATS = ("h10301", "h10304", "raw")
DECISIONS = ("granted", "denied")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _now() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = _now()


class Door(Base):
    __tablename__ = "doors"
    __table_args__ = (
        CheckConstraint(_in("mode", DOOR_MODES), name="mode"),
        UniqueConstraint("site_id", "name"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16), server_default="normal")
    requires_pin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    allows_pin_only: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[dt.datetime] = _now()


class Reader(Base):
    __tablename__ = "readers"
    __table_args__ = (
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        UniqueConstraint("door_id", "name"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    door_id: Mapped[int] = mapped_column(
        ForeignKey("doors.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = _now()


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    valid_from: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _now()


class Credential(Base):
    """A card or a PIN of one person at one site.

    ``card_key`` is the canonical text of the card within its format, so one
    unique index covers every format. ``pin_hash`` is HMAC-SHA-256 of the PIN
    under PIN_HASH_KEY: deterministic, hence indexable for PIN-only doors.
    """

    __tablename__ = "credentials"
    __table_args__ = (
        CheckConstraint("kind IN ('card', 'pin')", name="kind"),
        CheckConstraint(
            "(kind = 'card' AND card_format IS NOT NULL AND card_key IS NOT NULL"
            " AND pin_hash IS NULL)"
            " OR (kind = 'pin' AND pin_hash IS NOT NULL AND card_format IS NULL"
            " AND card_key IS NULL)",
            name="shape",
        ),
        CheckConstraint(
            f"card_format IS NULL OR {_in('card_format', CARD_FORMATS)}",
            name="card_format",
        ),
        Index(
            "uq_credentials_card",
            "site_id",
            "card_format",
            "card_key",
            unique=True,
            postgresql_where=text("kind = 'card'"),
        ),
        Index(
            "uq_credentials_pin",
            "site_id",
            "pin_hash",
            unique=True,
            postgresql_where=text("kind = 'pin'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(4))
    card_format: Mapped[str | None] = mapped_column(String(8))
    facility_code: Mapped[int | None] = mapped_column(Integer)
    card_number: Mapped[int | None] = mapped_column(BigInteger)
    bit_length: Mapped[int | None] = mapped_column(SmallInteger)
    card_key: Mapped[str | None] = mapped_column(String(80))
    pin_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    valid_from: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _now()


class AccessGroup(Base):
    __tablename__ = "access_groups"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _now()


class AccessGroupMember(Base):
    __tablename__ = "access_group_members"

    # Primary key leads with person_id: the decision looks members up by person.
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("access_groups.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class AccessGroupDoor(Base):
    __tablename__ = "access_group_doors"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("access_groups.id", ondelete="CASCADE"), primary_key=True
    )
    door_id: Mapped[int] = mapped_column(
        ForeignKey("doors.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TimeFrame(Base):
    """A weekly window of an access group, in the site's local time.

    Minutes since local midnight; ``end_minute`` is exclusive and may be 1440
    so that a frame can run to the end of the day.
    """

    __tablename__ = "time_frames"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
            name="minutes",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("access_groups.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(SmallInteger)
    end_minute: Mapped[int] = mapped_column(SmallInteger)


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("site_id", "date"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(
            "(role = 'reader') = (reader_id IS NOT NULL)", name="reader_binding"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(8))
    reader_id: Mapped[int | None] = mapped_column(
        ForeignKey("readers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[dt.datetime] = _now()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AccessEvent(Base):
    """One answered decision. Written in the transaction that answers it."""

    __tablename__ = "access_events"
    __table_args__ = (
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
        UniqueConstraint("reader_id", "event_id"),
        Index("ix_access_events_occurred", "occurred_at", "id"),
        Index("ix_access_events_door_occurred", "door_id", "occurred_at", "id"),
        Index("ix_access_events_person_occurred", "person_id", "occurred_at", "id"),
    )

    # Events keep plain ids rather than foreign keys: the log must outlive the
    # doors, readers and people it mentions.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    reader_id: Mapped[int] = mapped_column(BigInteger)
    door_id: Mapped[int] = mapped_column(BigInteger)
    site_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(BigInteger)
    credential_id: Mapped[int | None] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_id: Mapped[int | None] = mapped_column(BigInteger)
    token_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    at: Mapped[dt.datetime] = _now()
