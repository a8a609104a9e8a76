"""The migrations build exactly the tables the models describe, owned by the owner."""

from __future__ import annotations

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db import build_engine
from app.models import Base
from tests.conftest import Database


def test_migrated_schema_matches_the_models(database: Database):
    engine = build_engine(database.settings(database.owner), pool_size=1)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()

    assert differences == []


def test_tables_belong_to_the_role_that_migrates(database: Database):
    with psycopg.connect(database.owner_conninfo()) as conn:
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()

    assert owners == [(database.owner,)]


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id int)",
        "DROP TABLE audit_log",
        "ALTER TABLE sites ADD COLUMN x int",
    ],
)
def test_runtime_role_cannot_change_the_schema(database: Database, statement: str):
    settings = database.settings()
    conninfo = psycopg.conninfo.make_conninfo(
        host=settings.db_host,
        port=settings.db_port,
        user=settings.db_user,
        password=settings.db_password,
        dbname=settings.db_name,
    )
    with (
        psycopg.connect(conninfo) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)
