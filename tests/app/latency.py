"""Measure POST /v1/decisions against a real PostgreSQL; not a test.

Run: python -m tests.app.latency [N]. It starts the same throwaway server the
tests use, migrates it, loads one site with a grantable card, then times N
decisions through the WSGI app in-process (no HTTP or Gunicorn in the way)
and prints percentiles in milliseconds.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
import uuid

from tests import conftest


def main(count: int) -> None:
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(conftest._any_server())
        conftest._prepare_database(server)
        db = conftest.Database(
            server, conftest.TEST_DB, conftest.OWNER, conftest.RUNTIME
        )

        from app import create_app
        from app.cli import migrate

        migrate(db.settings(db.owner))
        app = create_app(db.settings())
        clock = conftest.Clock()
        app.extensions["smart_access.clock"] = clock
        from sqlalchemy.orm import Session

        from app.auth import issue_token
        from app.db import build_engine

        engine = build_engine(app.extensions["smart_access.settings"], pool_size=1)
        with Session(engine) as session:
            _row, token = issue_token(session, "latency", "admin")
            session.commit()
        engine.dispose()
        api = conftest.Api(app.test_client(), token)
        world = conftest.build_world(api, clock)

        reader = world.readers["entrance"]
        body = {"card": conftest.ALICE_CARD}
        for _ in range(200):  # warm the pool and the plan cache
            reader.post("/v1/decisions", {**body, "event_id": str(uuid.uuid4())})

        samples = []
        for _ in range(count):
            started = time.perf_counter()
            status, answer = reader.post(
                "/v1/decisions", {**body, "event_id": str(uuid.uuid4())}
            )
            samples.append((time.perf_counter() - started) * 1000)
            assert status == 200 and answer["decision"] == "granted", answer

        samples.sort()
        quantiles = statistics.quantiles(samples, n=100)
        print(
            f"{count} decisions: p50 {quantiles[49]:.2f} ms, p95 {quantiles[94]:.2f} ms, "
            f"p99 {quantiles[98]:.2f} ms, max {samples[-1]:.2f} ms"
        )
        app.extensions["smart_access.db"].dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
