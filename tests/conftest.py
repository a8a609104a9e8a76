"""A real PostgreSQL for the API's tests, and clients that talk to the app.

The server is TEST_DATABASE_URL when set; otherwise a throwaway cluster from
the local PostgreSQL binaries (run as an unprivileged user when we are root);
otherwise a container from Docker. Without any of them the suite fails and
says which were looked for.

Two roles mirror the deployment: an owner that runs migrations and owns the
tables, and a runtime role with DML only, which the app connects as. A view
that tried DDL would fail here as it would in production.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.config import Settings, load_settings

PIN_KEY = "test-pin-hash-key-0123456789abcdef"
TEST_DB = "smart_access_test"
OWNER = "sa_owner"
RUNTIME = "sa_runtime"
PASSWORD = "test-password"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    admin_user: str
    admin_password: str
    admin_db: str

    def admin_conninfo(self, dbname: str | None = None) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            user=self.admin_user,
            password=self.admin_password,
            dbname=dbname or self.admin_db,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _unprivileged_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError(
        "running as root, but neither user 'postgres' nor 'nobody' exists"
    )


def _wait_for(conninfo: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(conninfo, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def _local_cluster(initdb: str, pg_ctl: str) -> Iterator[Server]:
    user = _unprivileged_user()
    workdir = Path(tempfile.mkdtemp(prefix="sa-pg-"))
    data, sockets = workdir / "data", workdir / "sock"
    sockets.mkdir()
    as_user = {}
    if user is not None:
        for path in (workdir, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    port = _free_port()
    run = dict(check=True, capture_output=True, cwd=workdir, **as_user)
    subprocess.run(
        [initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"], **run
    )
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            pg_ctl,
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(workdir / "log"),
            "-w",
            "start",
        ],
        **run,
    )
    try:
        yield Server("127.0.0.1", port, "postgres", "unused", "postgres")
    finally:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            **{**run, "check": False},
        )
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def _docker_cluster(docker: str) -> Iterator[Server]:
    images = subprocess.run(
        [docker, "images", "--format", "{{.Repository}}:{{.Tag}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    image = next(
        (
            i
            for i in ("postgres:15-bookworm", "smart-access/postgres-standin:15")
            if i in images
        ),
        None,
    )
    if image is None:
        raise RuntimeError(
            "Docker has neither postgres:15-bookworm nor smart-access/postgres-standin:15;"
            " build the stand-in with 'bash scripts/images.sh'"
        )
    port = _free_port()
    name = f"sa-test-pg-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [
            docker,
            "run",
            "-d",
            "--rm",
            "--name",
            name,
            "-p",
            f"127.0.0.1:{port}:5432",
            "-e",
            f"POSTGRES_PASSWORD={PASSWORD}",
            image,
        ],
        check=True,
        capture_output=True,
    )
    try:
        server = Server("127.0.0.1", port, "postgres", PASSWORD, "postgres")
        _wait_for(server.admin_conninfo(), 60)
        yield server
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, check=False)


@contextlib.contextmanager
def _any_server() -> Iterator[Server]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        parsed = make_url(url)
        yield Server(
            parsed.host or "127.0.0.1",
            parsed.port or 5432,
            parsed.username or "postgres",
            parsed.password or "",
            parsed.database or "postgres",
        )
        return
    initdb, pg_ctl = _find_binary("initdb"), _find_binary("pg_ctl")
    if initdb and pg_ctl:
        with _local_cluster(initdb, pg_ctl) as server:
            yield server
        return
    docker = shutil.which("docker")
    if docker:
        with _docker_cluster(docker) as server:
            yield server
        return
    pytest.fail(
        "no PostgreSQL for the tests: TEST_DATABASE_URL is unset, initdb and pg_ctl "
        "are not on PATH or in /usr/lib/postgresql/*/bin, and docker is not installed",
        pytrace=False,
    )


def _prepare_database(server: Server) -> None:
    """Create the test database with an owner role and a DML-only runtime role."""
    try:
        _create_roles_and_database(server)
    except psycopg.errors.InsufficientPrivilege as error:
        pytest.fail(
            f"the PostgreSQL user {server.admin_user!r} must be allowed to create "
            f"roles and databases for the tests: {error}",
            pytrace=False,
        )


def _create_roles_and_database(server: Server) -> None:
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEST_DB} WITH (FORCE)")
        for role in (OWNER, RUNTIME):
            conn.execute(f"DROP ROLE IF EXISTS {role}")
            conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
        conn.execute(f"CREATE DATABASE {TEST_DB} OWNER {OWNER}")
    with psycopg.connect(server.admin_conninfo(TEST_DB), autocommit=True) as conn:
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {RUNTIME}")
        conn.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {RUNTIME}"
        )
        conn.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {RUNTIME}"
        )


@dataclass(frozen=True)
class Database:
    server: Server
    name: str
    owner: str
    runtime: str

    def env(self, user: str | None = None, **extra: str) -> dict[str, str]:
        env = {
            "APP_ENV": "production",
            "DB_HOST": self.server.host,
            "DB_PORT": str(self.server.port),
            "DB_NAME": self.name,
            "DB_USER": user or self.runtime,
            "DB_PASSWORD": PASSWORD,
            "DB_SSLMODE": "disable",
            "PIN_HASH_KEY": PIN_KEY,
            "THREADS": "8",
        }
        env.update(extra)
        return env

    def settings(self, user: str | None = None, **extra: str) -> Settings:
        return load_settings(self.env(user, **extra))

    def owner_conninfo(self) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.server.host,
            port=self.server.port,
            user=self.owner,
            password=PASSWORD,
            dbname=self.name,
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    with _any_server() as server:
        yield server


@pytest.fixture(scope="session")
def database(pg_server: Server) -> Database:
    """The test database, migrated to head once for the whole session."""
    from app.cli import migrate

    _prepare_database(pg_server)
    db = Database(pg_server, TEST_DB, OWNER, RUNTIME)
    assert migrate(db.settings(db.owner)) == 0
    return db


TABLES = (
    "access_events, audit_log, api_tokens, time_frames, access_group_doors, "
    "access_group_members, access_groups, holidays, credentials, readers, doors, "
    "people, sites"
)


@pytest.fixture
def clean_db(database: Database) -> Database:
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    return database


class Clock:
    """The app's clock, set by tests that need a particular moment."""

    def __init__(self) -> None:
        self.moment: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.moment or dt.datetime.now(dt.UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clean_db: Database, clock: Clock):
    from app import create_app

    application = create_app(clean_db.settings())
    application.extensions["smart_access.clock"] = clock
    yield application
    application.extensions["smart_access.db"].dispose()


class Api:
    """A test client that sends a bearer token and returns (status, json)."""

    def __init__(self, client, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def as_(self, token: str | None) -> Api:
        return Api(self.client, token)

    def call(self, method: str, path: str, json=None, query=None, headers=None):
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        response = self.client.open(
            path, method=method, json=json, query_string=query, headers=sent
        )
        return response.status_code, response.get_json(silent=True)

    def get(self, path: str, **kw):
        return self.call("GET", path, query=kw or None)

    def post(self, path: str, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path: str, json=None):
        return self.call("PATCH", path, json=json)

    def delete(self, path: str):
        return self.call("DELETE", path)

    def ok(self, method: str, path: str, json=None, status: int | None = None):
        code, body = self.call(method, path, json=json)
        expected = status or (201 if method == "POST" else 200)
        assert code == expected, (code, body)
        return body


@pytest.fixture
def admin_token(app) -> str:
    from sqlalchemy.orm import Session

    from app.auth import issue_token
    from app.db import build_engine

    engine = build_engine(app.extensions["smart_access.settings"], pool_size=1)
    with Session(engine) as db:
        _row, token = issue_token(db, "test admin", "admin")
        db.commit()
    engine.dispose()
    return token


@pytest.fixture
def admin(app, admin_token: str) -> Api:
    return Api(app.test_client(), admin_token)


@pytest.fixture
def anonymous(app) -> Api:
    return Api(app.test_client())


ALICE_CARD = {"format": "h10301", "facility_code": 42, "card_number": 1001}
ALICE_PIN = "123456"
# A Wednesday, 10:00 in Berlin (summer time): inside the 08:00-18:00 frames.
IN_HOURS = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)


@dataclass
class World:
    """A site with three doors, a reader on each, and Alice who may use them."""

    admin: Api
    site: dict
    doors: dict[str, dict]
    readers: dict[str, Api]
    reader_ids: dict[str, int]
    alice: dict
    card: dict
    pin: dict
    group: dict

    def decide(self, door: str = "entrance", **body):
        body.setdefault("event_id", str(uuid.uuid4()))
        return self.readers[door].post("/v1/decisions", body)


@pytest.fixture
def world(admin: Api, clock: Clock) -> World:
    return build_world(admin, clock)


def build_world(admin: Api, clock: Clock) -> World:
    clock.moment = IN_HOURS
    site = admin.ok("POST", "/v1/sites", {"name": "HQ", "timezone": "Europe/Berlin"})
    doors = {
        "entrance": admin.ok(
            "POST", "/v1/doors", {"site_id": site["id"], "name": "Entrance"}
        ),
        "vault": admin.ok(
            "POST",
            "/v1/doors",
            {"site_id": site["id"], "name": "Vault", "requires_pin": True},
        ),
        "keypad": admin.ok(
            "POST",
            "/v1/doors",
            {"site_id": site["id"], "name": "Keypad", "allows_pin_only": True},
        ),
    }
    readers, reader_ids = {}, {}
    for name, door in doors.items():
        reader = admin.ok(
            "POST",
            "/v1/readers",
            {"door_id": door["id"], "name": f"{name} in", "direction": "in"},
        )
        token = admin.ok(
            "POST",
            "/v1/tokens",
            {"name": f"{name} reader", "role": "reader", "reader_id": reader["id"]},
        )["token"]
        readers[name] = admin.as_(token)
        reader_ids[name] = reader["id"]
    alice = admin.ok("POST", "/v1/people", {"name": "Alice"})
    card = admin.ok(
        "POST",
        "/v1/credentials",
        {"person_id": alice["id"], "site_id": site["id"], "card": ALICE_CARD},
    )
    pin = admin.ok(
        "POST",
        "/v1/credentials",
        {"person_id": alice["id"], "site_id": site["id"], "pin": ALICE_PIN},
    )
    group = admin.ok(
        "POST",
        "/v1/access-groups",
        {
            "site_id": site["id"],
            "name": "Staff",
            "person_ids": [alice["id"]],
            "door_ids": [d["id"] for d in doors.values()],
            "time_frames": [
                {"weekday": day, "start": "08:00", "end": "18:00"}
                for day in range(1, 6)
            ],
        },
    )
    return World(admin, site, doors, readers, reader_ids, alice, card, pin, group)


@pytest.fixture
def empty_database(database: Database) -> Iterator[Database]:
    """A database with no schema at all, owned by the owner role."""
    server = database.server
    name = f"sa_empty_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {database.owner}")
    with psycopg.connect(server.admin_conninfo(name), autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {database.runtime}")
        conn.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {database.owner} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {database.runtime}"
        )
    yield Database(server, name, database.owner, database.runtime)
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
