"""Initial schema: sites, doors, readers, people, credentials, groups, events, audit.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-03 16:04:49.985434
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("reader_id", sa.BigInteger(), nullable=False),
        sa.Column("door_id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("credential_id", sa.BigInteger(), nullable=True),
        sa.Column("decision", sa.String(length=7), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('granted', 'denied')", name=op.f("ck_access_events_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_events")),
        sa.UniqueConstraint(
            "reader_id", "event_id", name=op.f("uq_access_events_reader_id_event_id")
        ),
    )
    op.create_index(
        "ix_access_events_door_occurred",
        "access_events",
        ["door_id", "occurred_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_access_events_occurred",
        "access_events",
        ["occurred_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_access_events_person_occurred",
        "access_events",
        ["person_id", "occurred_at", "id"],
        unique=False,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=True),
        sa.Column("token_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column(
            "changes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at", "id"], unique=False)
    op.create_table(
        "people",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("name", name=op.f("uq_sites_name")),
    )
    op.create_table(
        "access_groups",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_access_groups_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_groups")),
        sa.UniqueConstraint(
            "site_id", "name", name=op.f("uq_access_groups_site_id_name")
        ),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("card_format", sa.String(length=8), nullable=True),
        sa.Column("facility_code", sa.Integer(), nullable=True),
        sa.Column("card_number", sa.BigInteger(), nullable=True),
        sa.Column("bit_length", sa.SmallInteger(), nullable=True),
        sa.Column("card_key", sa.String(length=80), nullable=True),
        sa.Column("pin_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column(
            "enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'card' AND card_format IS NOT NULL AND card_key IS NOT NULL AND pin_hash IS NULL) OR (kind = 'pin' AND pin_hash IS NOT NULL AND card_format IS NULL AND card_key IS NULL)",
            name=op.f("ck_credentials_shape"),
        ),
        sa.CheckConstraint(
            "card_format IS NULL OR card_format IN ('h10301', 'h10304', 'raw')",
            name=op.f("ck_credentials_card_format"),
        ),
        sa.CheckConstraint("kind IN ('card', 'pin')", name=op.f("ck_credentials_kind")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_credentials_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_credentials_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
    )
    op.create_index(
        op.f("ix_credentials_person_id"), "credentials", ["person_id"], unique=False
    )
    op.create_index(
        "uq_credentials_card",
        "credentials",
        ["site_id", "card_format", "card_key"],
        unique=True,
        postgresql_where=sa.text("kind = 'card'"),
    )
    op.create_index(
        "uq_credentials_pin",
        "credentials",
        ["site_id", "pin_hash"],
        unique=True,
        postgresql_where=sa.text("kind = 'pin'"),
    )
    op.create_table(
        "doors",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "mode", sa.String(length=16), server_default="normal", nullable=False
        ),
        sa.Column(
            "requires_pin",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "allows_pin_only",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "mode IN ('normal', 'locked_down', 'unlocked')", name=op.f("ck_doors_mode")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_doors_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doors")),
        sa.UniqueConstraint("site_id", "name", name=op.f("uq_doors_site_id_name")),
    )
    op.create_table(
        "holidays",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_holidays_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
        sa.UniqueConstraint("site_id", "date", name=op.f("uq_holidays_site_id_date")),
    )
    op.create_table(
        "access_group_doors",
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.Column("door_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["door_id"],
            ["doors.id"],
            name=op.f("fk_access_group_doors_door_id_doors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["access_groups.id"],
            name=op.f("fk_access_group_doors_group_id_access_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "group_id", "door_id", name=op.f("pk_access_group_doors")
        ),
    )
    op.create_index(
        op.f("ix_access_group_doors_door_id"),
        "access_group_doors",
        ["door_id"],
        unique=False,
    )
    op.create_table(
        "access_group_members",
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["access_groups.id"],
            name=op.f("fk_access_group_members_group_id_access_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_access_group_members_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "person_id", "group_id", name=op.f("pk_access_group_members")
        ),
    )
    op.create_index(
        op.f("ix_access_group_members_group_id"),
        "access_group_members",
        ["group_id"],
        unique=False,
    )
    op.create_table(
        "readers",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("door_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "direction IN ('in', 'out')", name=op.f("ck_readers_direction")
        ),
        sa.ForeignKeyConstraint(
            ["door_id"],
            ["doors.id"],
            name=op.f("fk_readers_door_id_doors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readers")),
        sa.UniqueConstraint("door_id", "name", name=op.f("uq_readers_door_id_name")),
    )
    op.create_index(op.f("ix_readers_door_id"), "readers", ["door_id"], unique=False)
    op.create_table(
        "time_frames",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
            name=op.f("ck_time_frames_minutes"),
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 1 AND 7", name=op.f("ck_time_frames_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["access_groups.id"],
            name=op.f("fk_time_frames_group_id_access_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_frames")),
    )
    op.create_index(
        op.f("ix_time_frames_group_id"), "time_frames", ["group_id"], unique=False
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("reader_id", sa.BigInteger(), nullable=True),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(role = 'reader') = (reader_id IS NOT NULL)",
            name=op.f("ck_api_tokens_reader_binding"),
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'reader', 'auditor')", name=op.f("ck_api_tokens_role")
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name=op.f("fk_api_tokens_reader_id_readers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_api_tokens_reader_id"), "api_tokens", ["reader_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_api_tokens_reader_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_time_frames_group_id"), table_name="time_frames")
    op.drop_table("time_frames")
    op.drop_index(op.f("ix_readers_door_id"), table_name="readers")
    op.drop_table("readers")
    op.drop_index(
        op.f("ix_access_group_members_group_id"), table_name="access_group_members"
    )
    op.drop_table("access_group_members")
    op.drop_index(
        op.f("ix_access_group_doors_door_id"), table_name="access_group_doors"
    )
    op.drop_table("access_group_doors")
    op.drop_table("holidays")
    op.drop_table("doors")
    op.drop_index(
        "uq_credentials_pin",
        table_name="credentials",
        postgresql_where=sa.text("kind = 'pin'"),
    )
    op.drop_index(
        "uq_credentials_card",
        table_name="credentials",
        postgresql_where=sa.text("kind = 'card'"),
    )
    op.drop_index(op.f("ix_credentials_person_id"), table_name="credentials")
    op.drop_table("credentials")
    op.drop_table("access_groups")
    op.drop_table("sites")
    op.drop_table("people")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_access_events_person_occurred", table_name="access_events")
    op.drop_index("ix_access_events_occurred", table_name="access_events")
    op.drop_index("ix_access_events_door_occurred", table_name="access_events")
    op.drop_table("access_events")
