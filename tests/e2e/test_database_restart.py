"""PostgreSQL goes away while decisions run: 503 meanwhile, then recovery.

The API is never restarted: it must notice the database is back by itself.
"""

from __future__ import annotations

import time

import harness
import httpx
from harness import Deployment, Load
from scenario import Site, decision_body


def test_database_restart_answers_503_then_recovers_by_itself(
    deployment: Deployment, site: Site
) -> None:
    postgres = deployment.container("postgres")
    api_id = harness.docker_inspect(deployment.container("api"))["Id"]
    reader = site.reader(timeout=10)
    ready = httpx.Client(base_url=site.url, timeout=10)

    def decide() -> httpx.Response:
        return reader.post("/v1/decisions", json=decision_body(site.cards["allowed"]))

    with Load(decide) as load, Load(lambda: ready.get("/health/ready"), threads=1):
        harness.wait_for("decisions under load", lambda: len(load.outcomes) > 10, 30)
        with harness.PROGRESS.step("stop PostgreSQL under load"):
            harness.docker("stop", postgres, timeout=120)
        stopped = time.monotonic()
        harness.wait_for(
            "503 while PostgreSQL is down",
            lambda: any(o.status == 503 for o in load.since(stopped)),
            30,
        )
        down = harness.wait_for(
            "readiness reporting 503",
            lambda: ready.get("/health/ready").status_code == 503,
            30,
        )
        with harness.PROGRESS.step("start PostgreSQL again"):
            harness.docker("start", postgres)
        started = time.monotonic()
        recovered = harness.wait_for(
            "decisions granted again",
            lambda: any(
                o.status == 200 and o.body.get("decision") == "granted"
                for o in load.since(started)
            ),
            60,
        )
        harness.wait_for(
            "readiness 200 again",
            lambda: ready.get("/health/ready").status_code == 200,
            30,
        )
    harness.PROGRESS.write(
        f"database restart: readiness 503 after {down:.1f}s, decisions back "
        f"{recovered:.1f}s after PostgreSQL started"
    )

    statuses = {o.status for o in load.outcomes}
    unavailable = [o.body for o in load.outcomes if o.status == 503]
    errors = [o.error for o in load.outcomes if o.error]
    assert statuses <= {200, 503}, f"answers other than 200 and 503: {statuses}"
    assert not errors, f"requests failed without an answer: {errors[:5]}"
    assert all(b["error"]["code"] == "database_unavailable" for b in unavailable)
    assert harness.docker_inspect(deployment.container("api"))["Id"] == api_id
    granted = {
        o.body["event_id"]
        for o in load.outcomes
        if o.status == 200 and o.body["decision"] == "granted"
    }
    assert granted <= _logged_event_ids(site), "a granted answer has no event"


def _logged_event_ids(site: Site) -> set[str]:
    found: set[str] = set()
    params: dict[str, object] = {"door_id": site.door["id"], "limit": 500}
    with site.auditor() as auditor:
        while True:
            page = auditor.get("/v1/events", params=params).json()
            found.update(e["event_id"] for e in page["items"])
            if not page["next_cursor"]:
                return found
            params["cursor"] = page["next_cursor"]
