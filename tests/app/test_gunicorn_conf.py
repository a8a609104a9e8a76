"""app.gunicorn_conf: environment -> workers, bind and timeouts, and bad input."""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app import config
from app.config import load_settings, usable_cpu_count

ROOT = Path(__file__).resolve().parents[2]
VALID = {
    "DB_HOST": "db",
    "DB_NAME": "smart_access",
    "DB_USER": "smart_access_runtime",
    "DB_PASSWORD": "db-password-never-logged",
    "PIN_HASH_KEY": "pin-hash-key-never-logged-0123456789",
}


@pytest.fixture
def gunicorn_conf(monkeypatch):
    """The config module as Gunicorn would load it, under a valid environment."""
    for name in config.load_contract():
        monkeypatch.delenv(name, raising=False)
    for name, value in VALID.items():
        monkeypatch.setenv(name, value)
    import app.gunicorn_conf

    return importlib.reload(app.gunicorn_conf)


def resolve(gunicorn_conf, cores: int, **environ: str) -> dict:
    settings = load_settings({**VALID, **environ})
    return gunicorn_conf.server_settings(settings, cores)


@pytest.mark.parametrize(
    ("environ", "cores", "workers"),
    [
        # The original formula with the default WORKERS_PER_CORE=1.
        ({}, 1, 2),
        ({}, 2, 3),
        ({}, 4, 5),
        ({}, 16, 17),
        # Decimals are floored after multiplying, never below two workers.
        ({"WORKERS_PER_CORE": "0.5"}, 1, 2),
        ({"WORKERS_PER_CORE": "0.5"}, 3, 2),
        ({"WORKERS_PER_CORE": "0.5"}, 4, 3),
        ({"WORKERS_PER_CORE": "1.5"}, 3, 5),
        ({"WORKERS_PER_CORE": "2"}, 4, 9),
        ({"WORKERS_PER_CORE": "0.01"}, 64, 2),
        # MAX_WORKERS caps the computed count, even below the floor of two.
        ({"WORKERS_PER_CORE": "2", "MAX_WORKERS": "4"}, 4, 4),
        ({"MAX_WORKERS": "10"}, 4, 5),
        ({"MAX_WORKERS": "1"}, 8, 1),
        # WEB_CONCURRENCY wins over everything else.
        ({"WEB_CONCURRENCY": "7"}, 1, 7),
        ({"WEB_CONCURRENCY": "1", "WORKERS_PER_CORE": "4"}, 8, 1),
        ({"WEB_CONCURRENCY": "6", "MAX_WORKERS": "2"}, 8, 6),
    ],
)
def test_worker_count_follows_the_formula(gunicorn_conf, environ, cores, workers):
    assert resolve(gunicorn_conf, cores, **environ)["workers"] == workers


@pytest.mark.parametrize(
    ("cpu_max", "affinity", "workers"),
    [
        ("max 100000", 8, 9),
        ("100000 100000", 8, 2),
        ("150000 100000", 8, 3),
        ("200000 100000", 8, 3),
        ("800000 100000", 2, 3),
    ],
)
def test_a_cgroup_cpu_quota_bounds_the_workers(
    gunicorn_conf, tmp_path, monkeypatch, cpu_max, affinity, workers
):
    (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    monkeypatch.setattr(
        config.os, "sched_getaffinity", lambda pid: set(range(affinity))
    )

    cores = usable_cpu_count(tmp_path)

    assert resolve(gunicorn_conf, cores)["workers"] == workers


@pytest.mark.parametrize(
    ("environ", "bind", "timeouts"),
    [
        ({}, "0.0.0.0:5000", (120, 120, 5)),
        ({"API_HOST": "127.0.0.1", "API_PORT": "8000"}, "127.0.0.1:8000", None),
        ({"API_HOST": "::"}, "[::]:5000", None),
        ({"BIND": "127.0.0.1:9000", "API_PORT": "8000"}, "127.0.0.1:9000", None),
        (
            {"TIMEOUT": "30", "GRACEFUL_TIMEOUT": "10", "KEEP_ALIVE": "2"},
            "0.0.0.0:5000",
            (30, 10, 2),
        ),
    ],
)
def test_bind_and_timeouts_come_from_the_environment(
    gunicorn_conf, environ, bind, timeouts
):
    resolved = resolve(gunicorn_conf, 2, **environ)

    assert resolved["bind"] == [bind]
    if timeouts is not None:
        got = (resolved["timeout"], resolved["graceful_timeout"], resolved["keepalive"])
        assert got == timeouts


def test_the_fixed_settings_hold_whatever_the_environment(gunicorn_conf):
    resolved = resolve(gunicorn_conf, 2, THREADS="8", LOG_LEVEL="warning")

    assert resolved["worker_class"] == "gthread"
    assert resolved["threads"] == 8
    assert resolved["loglevel"] == "warning"
    assert resolved["worker_tmp_dir"] == "/dev/shm"
    assert resolved["control_socket_disable"] is True
    assert resolved["logconfig_dict"]["root"]["level"] == "WARNING"


@pytest.mark.parametrize(("threads", "worker_class"), [("1", "sync"), ("2", "gthread")])
def test_one_thread_means_the_original_sync_workers(
    gunicorn_conf, threads, worker_class
):
    resolved = resolve(gunicorn_conf, 2, THREADS=threads)

    assert resolved["worker_class"] == worker_class


def test_the_module_globals_are_what_gunicorn_reads(gunicorn_conf, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("THREADS", "6")
    monkeypatch.setenv("BIND", "127.0.0.1:7000")

    module = importlib.reload(gunicorn_conf)

    assert (module.workers, module.threads) == (3, 6)
    assert module.bind == ["127.0.0.1:7000"]
    assert module.worker_class == "gthread"
    assert (module.timeout, module.graceful_timeout, module.keepalive) == (
        120,
        120,
        5,
    )


def test_the_startup_summary_sizes_the_pool_and_hides_secrets(gunicorn_conf):
    settings = load_settings({**VALID, "WEB_CONCURRENCY": "3", "THREADS": "5"})
    resolved = gunicorn_conf.server_settings(settings, 2)

    summary = gunicorn_conf.startup_summary(settings, resolved, 2)

    assert summary["database_connections"] == 15
    assert summary["environment"]["DB_PASSWORD"] == "***"
    assert VALID["DB_PASSWORD"] not in json.dumps(summary)
    assert VALID["PIN_HASH_KEY"] not in json.dumps(summary)


GUNICORN_ARGS = ("-c", "python:app.gunicorn_conf", "app.wsgi:app")


def clean_environ() -> dict[str, str]:
    """This process's environment without any contract variable."""
    contract = config.load_contract()
    return {key: value for key, value in os.environ.items() if key not in contract}


def run(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        env=clean_environ() | environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


INVALID = [
    ("WORKERS_PER_CORE", "abc", "a number > 0, decimals allowed (e.g. 0.5)"),
    ("WORKERS_PER_CORE", "0", "a number > 0, decimals allowed (e.g. 0.5)"),
    ("WORKERS_PER_CORE", "-0.5", "a number > 0, decimals allowed (e.g. 0.5)"),
    ("WORKERS_PER_CORE", "inf", "a number > 0, decimals allowed (e.g. 0.5)"),
    ("WEB_CONCURRENCY", "0", "a whole number >= 1"),
    ("WEB_CONCURRENCY", "-2", "a whole number >= 1"),
    ("WEB_CONCURRENCY", "two", "a whole number >= 1"),
    ("MAX_WORKERS", "0", "a whole number >= 1"),
    ("THREADS", "0", "a whole number >= 1"),
    ("TIMEOUT", "ten", "a whole number >= 1"),
    ("TIMEOUT", "0", "a whole number >= 1"),
    ("GRACEFUL_TIMEOUT", "1.5", "a whole number >= 1"),
    ("KEEP_ALIVE", "-5", "a whole number >= 1"),
    ("LOG_LEVEL", "trace", "one of debug, info, warning, error, critical"),
    ("API_PORT", "0", "a port number from 1 to 65535"),
    (
        "BIND",
        "localhost",
        "HOST:PORT, e.g. 0.0.0.0:5000 or [::]:5000, with a port from 1 to 65535",
    ),
]
# Gunicorn itself parses WEB_CONCURRENCY as an integer on import, before its
# config module runs; those values are caught by `python -m app.gunicorn_conf`,
# which entrypoint.sh runs first.
PARSED_BY_GUNICORN_FIRST = {("WEB_CONCURRENCY", "-2"), ("WEB_CONCURRENCY", "two")}


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [row for row in INVALID if row[:2] not in PARSED_BY_GUNICORN_FIRST],
)
def test_an_invalid_value_stops_gunicorn_with_one_line(name, value, accepted):
    # -O strips asserts: the check must not depend on them.
    result = run(VALID | {name: value}, "-O", "-m", "gunicorn", *GUNICORN_ARGS)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"invalid configuration: {name}: got {value!r}; expected {accepted}"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize(("name", "value", "accepted"), INVALID)
def test_the_config_check_rejects_an_invalid_value_with_one_line(name, value, accepted):
    result = run(VALID | {name: value}, "-O", "-m", "app.gunicorn_conf")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"invalid configuration: {name}: got {value!r}; expected {accepted}"
    ]


def test_the_config_check_summarises_a_valid_environment_in_one_line():
    result = run(VALID | {"WEB_CONCURRENCY": "3"}, "-m", "app.gunicorn_conf")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "APP_ENV=production, bind 0.0.0.0:5000, 3 workers x 4 threads on "
        f"{usable_cpu_count()} usable CPUs, database "
        "smart_access_runtime@db:5432/smart_access"
    ]


def test_a_missing_database_setting_stops_gunicorn_before_the_app_loads():
    result = run(
        {"PIN_HASH_KEY": VALID["PIN_HASH_KEY"]}, "-m", "gunicorn", *GUNICORN_ARGS
    )

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("invalid configuration: DB_HOST: got nothing;")
    assert "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WSGI_APP = """
import logging

def app(environ, start_response):
    logging.getLogger("app.probe").warning("probe", extra={"door_id": 7})
    start_response("204 No Content", [])
    return [b""]
"""


def test_gunicorn_logs_json_lines_and_the_resolved_configuration(tmp_path):
    (tmp_path / "probe_app.py").write_text(WSGI_APP)
    port = free_port()
    env = (
        clean_environ() | VALID | {"BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    )
    env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{ROOT}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf"]
        + ["probe_app:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        response = wait_for(f"http://127.0.0.1:{port}/doors/1?full=yes")
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=30)

    assert response.status_code == 204
    assert server.returncode == 0
    access = [json.loads(line) for line in stdout.splitlines()]
    errors = [json.loads(line) for line in stderr.splitlines()]
    probe = [entry for entry in access if entry["path"] == "/doors/1"]
    assert len(probe) == 1
    assert probe[0]["logger"] == "gunicorn.access"
    assert (probe[0]["method"], probe[0]["status"]) == ("GET", 204)
    assert probe[0]["query"] == "full=yes"
    assert probe[0]["duration_ms"] >= 0
    assert "Authorization" not in stdout and "bearer-in-header" not in stdout
    started = [
        entry for entry in errors if entry["message"] == "resolved configuration"
    ]
    assert len(started) == 1
    assert started[0]["config"]["workers"] == 1
    assert started[0]["config"]["bind"] == f"127.0.0.1:{port}"
    assert [e["door_id"] for e in errors if e["logger"] == "app.probe"] == [7]
    assert VALID["DB_PASSWORD"] not in stderr + stdout
    assert VALID["PIN_HASH_KEY"] not in stderr + stdout


def wait_for(url: str) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.get(
                url,
                headers={"Authorization": "Bearer bearer-in-header"},
                timeout=2,
                trust_env=False,
            )
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
