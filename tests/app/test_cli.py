"""``python -m app.cli``: migrate under a lock, check-schema, create-admin-token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from app.db import expected_head
from tests.conftest import Database

ROOT = Path(__file__).resolve().parents[2]


def _cli(db: Database, *args: str, user: str | None = None, **env: str):
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **db.env(user, **env)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _start(db: Database, *args: str, user: str | None = None, **env: str):
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **db.env(user, **env)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(db: Database, table: str) -> int:
    with psycopg.connect(db.owner_conninfo()) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_check_schema_on_an_empty_database_exits_3(empty_database: Database):
    result = _cli(empty_database, "check-schema")

    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert "no revision" in result.stderr and expected_head() in result.stderr


def test_two_migrations_at_once_both_succeed_and_reach_head(empty_database: Database):
    runs = [
        _start(empty_database, "migrate", user=empty_database.owner) for _ in range(2)
    ]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()

    assert [code for code, _ in results] == [0, 0], results
    assert _cli(empty_database, "check-schema").returncode == 0
    with psycopg.connect(empty_database.owner_conninfo()) as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert versions == [(expected_head(),)]


def test_migrate_again_is_a_no_op(database: Database):
    result = _cli(database, "migrate", user=database.owner)

    assert result.returncode == 0, result.stderr
    assert f"schema at {expected_head()}" in result.stderr


def test_local_migrate_loads_demo_data_once_and_the_bootstrap_token(
    empty_database: Database,
):
    env = {"APP_ENV": "local", "BOOTSTRAP_ADMIN_TOKEN": "sa_bootstrap-token-for-tests"}
    first = _cli(empty_database, "migrate", user=empty_database.owner, **env)
    counts = {
        t: _count(empty_database, t) for t in ("sites", "credentials", "api_tokens")
    }
    second = _cli(empty_database, "migrate", user=empty_database.owner, **env)

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "demo data loaded" in first.stderr
    assert "demo data already present" in second.stderr
    assert counts == {"sites": 1, "credentials": 3, "api_tokens": 1}
    assert {t: _count(empty_database, t) for t in counts} == counts
    assert "sa_bootstrap-token-for-tests" not in first.stderr + first.stdout


def test_production_migrate_loads_no_demo_data(empty_database: Database):
    result = _cli(empty_database, "migrate", user=empty_database.owner)

    assert result.returncode == 0, result.stderr
    assert _count(empty_database, "sites") == 0


def test_create_admin_token_prints_a_working_token_once(clean_db: Database, app):
    result = _cli(clean_db, "create-admin-token", "--name", "ops")

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("sa_") and "\n" not in token
    assert token not in result.stderr
    response = app.test_client().get(
        "/v1/sites", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("command", "env", "needle"),
    [
        (["migrate"], {"PIN_HASH_KEY": "short"}, "PIN_HASH_KEY"),
        (["check-schema"], {"DB_PORT": "http"}, "DB_PORT"),
        (["create-admin-token", "--name", "x"], {"THREADS": "0"}, "THREADS"),
    ],
)
def test_bad_configuration_exits_2_with_one_line(
    database: Database, command, env, needle
):
    result = _cli(database, *command, **env)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_missing_command_argument_exits_2(database: Database):
    result = _cli(database, "create-admin-token")

    assert result.returncode == 2
    assert "--name" in result.stderr


def test_unreachable_database_is_one_line_and_exit_1(database: Database):
    result = _cli(database, "check-schema", DB_PORT="1")

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_runtime_role_cannot_migrate(empty_database: Database):
    result = _cli(empty_database, "migrate")

    assert result.returncode == 1
    assert "permission denied" in result.stderr


def test_migrate_waits_while_another_holds_the_lock(empty_database: Database):
    from app.cli import MIGRATION_LOCK_KEY

    with psycopg.connect(empty_database.owner_conninfo(), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        run = _start(empty_database, "migrate", user=empty_database.owner)
        with pytest.raises(subprocess.TimeoutExpired):
            run.wait(timeout=3)
        holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))

    assert run.wait(timeout=120) == 0
    run.stdout.close()
    run.stderr.close()
