"""Measure POST /v1/decisions against a real PostgreSQL; not a test.

Run: ``python -m tests.app.latency [N]``. It starts the same throwaway server
the tests use, migrates it and loads one site with a grantable card, then
times N sequential granted decisions twice: through the WSGI app in-process
(the application's own cost), and over loopback HTTP through Gunicorn with
the shipped config (``app.gunicorn_conf``), one keep-alive connection.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from app import create_app
from app.auth import issue_token
from app.cli import migrate
from app.db import build_engine
from tests import conftest

WARM_UP = 200


def _report(label: str, samples: list[float]) -> str:
    samples = sorted(samples)
    cuts = statistics.quantiles(samples, n=100)
    return (
        f"{label}: {len(samples)} decisions, p50 {cuts[49]:.2f} ms, "
        f"p95 {cuts[94]:.2f} ms, p99 {cuts[98]:.2f} ms, max {samples[-1]:.2f} ms"
    )


def _time(count: int, decide: Callable[[], None]) -> list[float]:
    for _ in range(WARM_UP):
        decide()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        decide()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _admin_token(settings) -> str:
    engine = build_engine(settings, pool_size=1)
    with Session(engine) as db:
        _row, token = issue_token(db, "latency", "admin")
        db.commit()
    engine.dispose()
    return token


def in_process(db: conftest.Database, count: int) -> tuple[list[float], str]:
    app = create_app(db.settings())
    clock = conftest.Clock()
    app.extensions["smart_access.clock"] = clock
    api = conftest.Api(app.test_client(), _admin_token(db.settings()))
    world = conftest.build_world(api, clock)
    reader = world.readers["entrance"]

    def decide() -> None:
        body = {"event_id": str(uuid.uuid4()), "card": conftest.ALICE_CARD}
        status, answer = reader.post("/v1/decisions", body)
        assert status == 200 and answer["decision"] == "granted", answer

    samples = _time(count, decide)
    app.extensions["smart_access.db"].dispose()
    return samples, reader.token


def over_http(db: conftest.Database, count: int, reader_token: str) -> list[float]:
    port = conftest._free_port()
    env = {**os.environ, **db.env(BIND=f"127.0.0.1:{port}", LOG_LEVEL="warning")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:app.gunicorn_conf",
            "app.wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        deadline = time.monotonic() + 30
        while True:
            try:
                conn.request("GET", "/health/ready")
                if conn.getresponse().read():
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                conn.close()
                time.sleep(0.2)
        headers = {
            "Authorization": f"Bearer {reader_token}",
            "Content-Type": "application/json",
        }
        # The in-process run left the clock at a granted hour; real time may
        # not be, so any 200 counts here.

        def decide() -> None:
            body = {"event_id": str(uuid.uuid4()), "card": conftest.ALICE_CARD}
            conn.request("POST", "/v1/decisions", json.dumps(body), headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status

        return _time(count, decide)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(count: int) -> None:
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(conftest._any_server())
        conftest._prepare_database(server)
        db = conftest.Database(
            server, conftest.TEST_DB, conftest.OWNER, conftest.RUNTIME
        )
        migrate(db.settings(db.owner))

        samples, reader_token = in_process(db, count)
        print(_report("in-process WSGI", samples))
        print(_report("HTTP via Gunicorn", over_http(db, count, reader_token)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
