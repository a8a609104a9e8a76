"""The API's runtime role reads and writes rows but cannot change the schema.

Connects through PostgreSQL's published port with the runtime role's
credentials from the deployment's secrets, as the API does from inside.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from harness import Deployment
from psycopg import errors


@pytest.fixture(scope="module")
def runtime_db(deployment: Deployment, outputs: dict) -> Iterator[psycopg.Connection]:
    conninfo = {
        "host": "127.0.0.1",
        "port": deployment.config["ports"]["postgres"],
        "dbname": outputs["database_name"],
        "user": outputs["runtime_role"],
        "password": deployment.secrets()["db_runtime_password"],
        "connect_timeout": 10,
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def sites_table(runtime_db: psycopg.Connection) -> str:
    row = runtime_db.execute(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'sites'"
    ).fetchone()
    assert row is not None, "the runtime role sees no 'sites' table"
    return f"{row[0]}.sites"


def test_runtime_role_reads_and_writes_rows(
    runtime_db: psycopg.Connection, sites_table: str
) -> None:
    with runtime_db.transaction(force_rollback=True):
        runtime_db.execute(
            f"INSERT INTO {sites_table} (name, timezone) VALUES ('e2e probe', 'UTC')"
        )
        count = runtime_db.execute(f"SELECT count(*) FROM {sites_table}").fetchone()

    assert count[0] >= 1


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE {schema}.e2e_probe (id integer)",
        "ALTER TABLE {table} ADD COLUMN e2e_probe integer",
        "DROP TABLE {table}",
        "CREATE INDEX e2e_probe ON {table} (name)",
    ],
)
def test_runtime_role_cannot_change_the_schema(
    runtime_db: psycopg.Connection, sites_table: str, statement: str
) -> None:
    schema = sites_table.split(".")[0]
    sql = statement.format(schema=schema, table=sites_table)

    with pytest.raises(errors.InsufficientPrivilege):
        with runtime_db.transaction(force_rollback=True):
            runtime_db.execute(sql)
