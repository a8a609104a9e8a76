"""The PostgreSQL stand-in honours the parts of the official image's contract
that the local stack relies on."""

import os
import secrets
import stat
import time

import pytest
from standin import docker, logs, state, wait_for, wait_for_exit


def published_port(name: str) -> int:
    mapping = docker("port", name, "5432/tcp").stdout.splitlines()[0]
    return int(mapping.rsplit(":", 1)[1])


PSQL = ["psql", "--no-psqlrc", "-At", "-v", "ON_ERROR_STOP=1"]


def psql_over_tcp(image, name, sql, *, password, user="postgres", dbname="postgres"):
    """Run psql in a throwaway container on the host's network, so that it
    reaches the server through its published loopback port."""
    port = str(published_port(name))
    target = ["-h", "127.0.0.1", "-p", port, "-U", user, "-d", dbname]
    return docker(
        *["run", "--rm", "--network=host", "--env=PGPASSWORD", image],
        *[*PSQL, *target, "-c", sql],
        check=False,
        env={**os.environ, "PGPASSWORD": password},
    )


def psql_in(name: str, sql: str, dbname: str = "postgres") -> str:
    """Run sql inside the container over its Unix socket (trusted)."""
    return docker("exec", name, *PSQL, "-U", "postgres", "-d", dbname, "-c", sql).stdout


def accepts_tcp(name: str) -> bool:
    probe = ["exec", name, "pg_isready", "-q", "-h", "127.0.0.1"]
    return docker(*probe, check=False).returncode == 0


def start_server(containers, image, env, *args, **kwargs) -> str:
    name = containers(image, "--publish=127.0.0.1::5432", *args, env=env, **kwargs)
    wait_for(name, lambda: accepts_tcp(name), "TCP readiness")
    return name


@pytest.mark.parametrize(
    ("env", "user", "dbname"),
    [
        ({}, "postgres", "postgres"),
        ({"POSTGRES_USER": "alice"}, "alice", "alice"),
        (
            {"POSTGRES_USER": "alice", "POSTGRES_DB": "door_events"},
            "alice",
            "door_events",
        ),
    ],
    ids=["defaults", "user-only", "user-and-db"],
)
def test_env_vars_set_superuser_database_and_tcp_password(
    containers, postgres_image, env, user, dbname
):
    password = secrets.token_urlsafe(12)
    name = start_server(
        containers, postgres_image, {**env, "POSTGRES_PASSWORD": password}
    )

    result = psql_over_tcp(
        postgres_image,
        name,
        "SELECT current_user, current_database(), rolsuper"
        " FROM pg_roles WHERE rolname = current_user",
        user=user,
        password=password,
        dbname=dbname,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{user}|{dbname}|t"


def test_wrong_password_over_tcp_is_rejected(containers, postgres_image):
    name = start_server(containers, postgres_image, {"POSTGRES_PASSWORD": "right-one"})

    result = psql_over_tcp(postgres_image, name, "SELECT 1", password="wrong-one")

    assert result.returncode != 0
    assert 'password authentication failed for user "postgres"' in result.stderr


def test_without_a_password_the_container_exits_naming_the_variable(
    containers, postgres_image
):
    name = containers(postgres_image)

    assert wait_for_exit(name) == 1
    output = logs(name).strip().splitlines()
    assert len(output) == 1
    assert output[0].startswith(
        "docker-entrypoint: error: POSTGRES_PASSWORD is not set"
    )


def test_trust_auth_method_needs_no_password(containers, postgres_image):
    name = start_server(
        containers, postgres_image, {"POSTGRES_HOST_AUTH_METHOD": "trust"}
    )

    result = psql_over_tcp(postgres_image, name, "SELECT 1", password="anything")

    assert result.stdout.strip() == "1", result.stderr


def test_init_scripts_run_with_no_tcp_listener(containers, postgres_image, tmp_path):
    initdb = tmp_path / "initdb"
    initdb.mkdir()
    initdb.chmod(0o755)
    # The probe prints the readiness of both endpoints while the init-time
    # server runs; /proc/net shows any listening TCP socket on 5432 (0x1538).
    probe = initdb / "01-probe.sh"
    probe.write_text(
        "#!/bin/bash\n"
        'pg_isready -q; echo "probe: socket=$?"\n'
        'pg_isready -q -h 127.0.0.1 -t 2; echo "probe: tcp=$?"\n'
        "if grep -qi ':1538 0\\+:0000 0A' /proc/net/tcp /proc/net/tcp6; then\n"
        "  echo 'probe: listener=yes'; else echo 'probe: listener=no'; fi\n"
    )
    probe.chmod(probe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (initdb / "02-schema.sql").write_text("CREATE TABLE doors (id int PRIMARY KEY);\n")
    (initdb / "03-sourced.sh").write_text(
        'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" '
        "-c 'INSERT INTO doors VALUES (7)'\n"
    )
    for script in initdb.iterdir():
        script.chmod(script.stat().st_mode | stat.S_IRGRP | stat.S_IROTH)

    name = start_server(
        containers,
        postgres_image,
        {"POSTGRES_PASSWORD": "pw", "POSTGRES_DB": "site"},
        f"--volume={initdb}:/docker-entrypoint-initdb.d:ro",
    )

    output = logs(name)
    assert "probe: socket=0" in output
    assert "probe: tcp=2" in output
    assert "probe: listener=no" in output
    rows = docker(
        "exec",
        name,
        "psql",
        "-At",
        "-U",
        "postgres",
        "-d",
        "site",
        "-c",
        "SELECT id FROM doors",
    )
    assert rows.stdout.strip() == "7"


def test_data_survives_replacing_the_container_on_the_same_volume(
    containers, postgres_image, volume
):
    mount = f"--volume={volume}:/var/lib/postgresql/data"
    first = start_server(
        containers, postgres_image, {"POSTGRES_PASSWORD": "first"}, mount
    )
    psql_in(
        first, "CREATE TABLE events (note text); INSERT INTO events VALUES ('kept')"
    )
    docker("stop", first)
    docker("rm", first)

    # A changed password must not re-initialise an existing cluster.
    second = start_server(
        containers, postgres_image, {"POSTGRES_PASSWORD": "second"}, mount
    )

    assert "initialising a new cluster" not in logs(second)
    result = psql_over_tcp(
        postgres_image, second, "SELECT note FROM events", password="first"
    )
    assert result.stdout.strip() == "kept", result.stderr


def test_server_is_pid_1_as_postgres_and_docker_stop_shuts_it_down_cleanly(
    containers, postgres_image
):
    name = start_server(containers, postgres_image, {"POSTGRES_PASSWORD": "pw"})
    pid1 = docker("exec", name, "cat", "/proc/1/comm", "/proc/1/status").stdout

    started = time.monotonic()
    docker("stop", "--time=20", name)
    elapsed = time.monotonic() - started

    assert pid1.splitlines()[0] == "postgres"
    assert "\nUid:\t999\t" in pid1
    assert elapsed < 10, "docker stop waited for the kill timeout"
    assert state(name)["ExitCode"] == 0
    assert logs(name).rstrip().endswith("database system is shut down")


def test_version_flag_prints_without_initialising(postgres_image):
    result = docker("run", "--rm", postgres_image, "postgres", "--version")

    assert result.stdout.startswith("postgres (PostgreSQL) 15.")
    assert "POSTGRES_PASSWORD" not in result.stderr
