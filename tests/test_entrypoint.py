"""entrypoint.sh: migrate, serve and exec, against a real PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from app.config import load_contract

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "entrypoint.sh"


def base_environ() -> dict[str, str]:
    """This environment minus the contract, with this venv's python first."""
    contract = load_contract()
    env = {key: value for key, value in os.environ.items() if key not in contract}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def entrypoint(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env=base_environ() | env,
        cwd="/",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FreshDatabase:
    """An empty database laid out like the deployment's: an owner role that
    migrates, and a runtime role with DML only."""

    def __init__(self, database, name: str) -> None:
        self.base = database
        self.name = name

    def env(self, role: str, **extra: str) -> dict[str, str]:
        user = self.base.owner if role == "owner" else self.base.runtime
        return self.base.env(user, DB_NAME=self.name, **extra)


@pytest.fixture
def fresh_db(database) -> Iterator[FreshDatabase]:
    server = database.server
    name = f"sa_entrypoint_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {database.owner}")
    with psycopg.connect(server.admin_conninfo(name), autocommit=True) as conn:
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {database.runtime}")
        for objects, rights in (
            ("TABLES", "SELECT, INSERT, UPDATE, DELETE"),
            ("SEQUENCES", "USAGE, SELECT"),
        ):
            conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {database.owner} IN SCHEMA "
                f"public GRANT {rights} ON {objects} TO {database.runtime}"
            )
    yield FreshDatabase(database, name)
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.parametrize(
    ("command", "environ", "line"),
    [
        (
            "serve",
            {"WORKERS_PER_CORE": "abc"},
            "invalid configuration: WORKERS_PER_CORE: got 'abc'; expected a number > 0, decimals allowed (e.g. 0.5)",
        ),
        (
            "serve",
            {"WEB_CONCURRENCY": "two"},
            "invalid configuration: WEB_CONCURRENCY: got 'two'; expected a whole number >= 1",
        ),
        (
            "serve",
            {"LOG_LEVEL": "chatty"},
            "invalid configuration: LOG_LEVEL: got 'chatty'; expected one of debug, info, warning, error, critical",
        ),
        (
            "migrate",
            {"TIMEOUT": "soon"},
            "invalid configuration: TIMEOUT: got 'soon'; expected a whole number >= 1",
        ),
    ],
)
def test_a_bad_environment_stops_with_one_line(database, command, environ, line):
    result = entrypoint(command, env=database.env() | environ)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


def test_a_missing_database_variable_stops_serve_with_one_line():
    result = entrypoint(env={"PIN_HASH_KEY": "k" * 32})

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("invalid configuration: DB_HOST: got nothing;")


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_extra_arguments_to_a_command_are_refused(command):
    result = entrypoint(command, "--now", env={})

    assert result.returncode == 2
    (entry,) = json_lines(result.stderr)
    assert entry["message"] == f"'{command}' takes no arguments; got: --now"


def test_any_other_command_is_execd_in_place():
    process = subprocess.Popen(
        ["sh", str(ENTRYPOINT), "sh", "-c", 'echo "$$ $0 $1"; exit 7', "x", "y"],
        env=base_environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 7
    assert stdout == f"{process.pid} x y\n"
    assert json_lines(stderr)[0]["message"] == 'exec: sh -c echo "$$ $0 $1"; exit 7 x y'


def test_serve_refuses_a_database_that_is_not_at_head(fresh_db):
    result = entrypoint("serve", env=fresh_db.env("runtime"))

    assert result.returncode == 3
    messages = [entry["message"] for entry in json_lines(result.stderr)]
    assert messages[0].startswith("configuration valid: APP_ENV=production")
    assert messages[-1] == (
        "refusing to serve: the database schema is not at the migration head this "
        "code expects; run 'entrypoint.sh migrate' first"
    )
    assert not any(message.startswith("schema is at head") for message in messages)
    assert "Starting gunicorn" not in result.stderr


def test_serve_refuses_when_the_database_is_unreachable(database):
    result = entrypoint("serve", env=database.env(DB_PORT=str(free_port())))

    assert result.returncode not in (0, 3)
    last = json_lines(result.stderr)[-1]["message"]
    assert last.startswith("refusing to serve: the schema check failed")


def test_migrate_then_serve_answers_ready_and_stops_gracefully(fresh_db):
    migrated = entrypoint("migrate", env=fresh_db.env("owner"))
    assert migrated.returncode == 0, migrated.stderr
    assert "migrating the schema to head" in migrated.stderr

    port = free_port()
    env = fresh_db.env("runtime", BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    server = subprocess.Popen(
        ["sh", str(ENTRYPOINT), "serve"],
        env=base_environ() | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        response = wait_for_ready(f"http://127.0.0.1:{port}/health/ready", server)
        main_process = Path(f"/proc/{server.pid}/cmdline").read_bytes()
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=60)

    assert response.status_code == 200
    assert b"gunicorn" in main_process
    assert server.returncode == 0
    errors = json_lines(stderr)
    messages = [entry["message"] for entry in errors]
    assert "schema is at head; exec gunicorn" in " ".join(messages)
    assert messages.count("resolved configuration") == 1
    assert "Handling signal: term" in messages
    assert "Shutting down: Master" in messages
    ready = [e for e in json_lines(stdout) if e.get("path") == "/health/ready"]
    assert ready and ready[-1]["status"] == 200
    assert env["DB_PASSWORD"] not in stdout + stderr


def test_two_migrations_at_once_both_succeed(fresh_db):
    env = base_environ() | fresh_db.env("owner")
    runs = [
        subprocess.Popen(
            ["sh", str(ENTRYPOINT), "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    check = entrypoint(
        "sh", "-c", "python -m app.cli check-schema", env=fresh_db.env("runtime")
    )
    assert check.returncode == 0, check.stderr


def wait_for_ready(url: str, server: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise AssertionError(f"serve exited early with {server.returncode}")
        try:
            response = httpx.get(url, timeout=2, trust_env=False)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} was not ready within 60 s")
        time.sleep(0.2)
