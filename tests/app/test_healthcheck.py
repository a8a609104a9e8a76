"""app.healthcheck: exit 0 only on a 200 from /health/ready within 2 s."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app import config, healthcheck
from app.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
VALID = {
    "DB_HOST": "db",
    "DB_NAME": "smart_access",
    "DB_USER": "smart_access_runtime",
    "DB_PASSWORD": "db-password-never-logged",
    "PIN_HASH_KEY": "pin-hash-key-never-logged-0123456789",
}


class Behaviour:
    status = 200
    delay = 0.0
    paths: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        Behaviour.paths.append(self.path)
        time.sleep(Behaviour.delay)
        self.send_response(Behaviour.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    Behaviour.status, Behaviour.delay, Behaviour.paths = 200, 0.0, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:5000/health/ready"),
        ({"API_PORT": "8080"}, "http://127.0.0.1:8080/health/ready"),
        ({"API_HOST": "10.1.2.3"}, "http://10.1.2.3:5000/health/ready"),
        ({"BIND": "[::]:5001"}, "http://[::1]:5001/health/ready"),
        ({"BIND": "127.0.0.2:6000"}, "http://127.0.0.2:6000/health/ready"),
    ],
)
def test_the_probe_targets_the_bind_port(environ, url):
    assert healthcheck.ready_url(load_settings(VALID | environ)) == url


def test_a_200_is_ready(server):
    ready, seen = healthcheck.probe(f"http://127.0.0.1:{server}/health/ready")

    assert ready
    assert seen.startswith(f"http://127.0.0.1:{server}/health/ready: answered 200")
    assert Behaviour.paths == ["/health/ready"]


def test_a_503_is_not_ready(server):
    Behaviour.status = 503

    ready, seen = healthcheck.probe(f"http://127.0.0.1:{server}/health/ready")

    assert not ready
    assert seen.endswith("answered 503, not 200")


def test_a_slow_answer_is_not_ready(server):
    Behaviour.delay = 0.6

    started = time.monotonic()
    ready, seen = healthcheck.probe(
        f"http://127.0.0.1:{server}/health/ready", timeout=0.3
    )

    assert not ready
    assert "no answer" in seen
    assert time.monotonic() - started < 2


def test_no_listener_is_not_ready():
    ready, seen = healthcheck.probe(f"http://127.0.0.1:{unused_port()}/health/ready")

    assert not ready
    assert "no answer" in seen


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_main(environ: dict[str, str]) -> subprocess.CompletedProcess:
    contract = config.load_contract()
    env = {k: v for k, v in os.environ.items() if k not in contract} | environ
    env["http_proxy"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"
    return subprocess.run(
        [sys.executable, "-m", "app.healthcheck"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize(("status", "code"), [(200, 0), (503, 1), (500, 1)])
def test_the_command_exits_by_readiness_ignoring_proxies(server, status, code):
    Behaviour.status = status

    result = run_main(VALID | {"BIND": f"127.0.0.1:{server}"})

    assert result.returncode == code
    assert len((result.stdout + result.stderr).splitlines()) == 1


def test_the_command_reports_a_bad_environment_in_one_line():
    result = run_main(VALID | {"API_PORT": "http"})

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "invalid configuration: API_PORT: got 'http'; expected a port number from 1 to 65535"
    ]


def test_the_probe_loads_no_web_or_database_library():
    # It runs every few seconds in a CPU-limited container; importing the
    # application stack there cost seconds per probe on a loaded host.
    heavy = ("flask", "apiflask", "sqlalchemy", "alembic", "psycopg", "pydantic")
    code = (
        "import sys, app.healthcheck; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == ""
