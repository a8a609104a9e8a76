"""docker stop of the API under load: what it accepted completes within
GRACEFUL_TIMEOUT, and Gunicorn exits by itself rather than being killed."""

from __future__ import annotations

import time

import pytest
from conftest import GRACEFUL_TIMEOUT, REPORT
from traffic import DecisionLoad, wait_until

from bench.deployment import docker


@pytest.fixture
def api(stack):
    """The API container's id; started again and healthy after the test."""
    container = stack.container("api")["Id"]
    yield container
    docker("start", container)
    wait_until(
        "the API healthy again after its restart",
        lambda: (
            docker("inspect", "--format", "{{.State.Health.Status}}", container).strip()
            == "healthy"
        ),
        timeout=180,
        interval=0.5,
    )


def test_docker_stop_lets_accepted_requests_finish_within_graceful_timeout(stack, api):
    with DecisionLoad(stack.url, stack.requests, threads=4, max_seconds=60) as load:
        time.sleep(2)
        sigterm_at = time.monotonic()
        docker("stop", "-t", str(GRACEFUL_TIMEOUT + 20), api)
        stop_s = time.monotonic() - sigterm_at
        time.sleep(1)
    outcomes = load.snapshot()
    state = docker("inspect", "--format", "{{.State.ExitCode}}", api).strip()

    assert state == "0", (
        f"the API exited {state}: it was killed, not stopped gracefully"
    )
    assert stop_s <= GRACEFUL_TIMEOUT, f"docker stop took {stop_s:.1f}s"

    # Accepted = the server wrote its event. Each of those got its answer,
    # no later than GRACEFUL_TIMEOUT after the SIGTERM.
    logged = stack.logged_events([o.event_id for o in outcomes])
    by_id = {o.event_id: o for o in outcomes}
    unanswered = [e for e in logged if by_id[e].status != 200]
    assert not unanswered, f"{len(unanswered)} accepted requests lost their answer"
    late = [
        o
        for o in outcomes
        if o.status == 200 and o.ended - sigterm_at > GRACEFUL_TIMEOUT
    ]
    assert not late
    # What was not accepted failed visibly: refused or closed, never a hang.
    refused = [o for o in outcomes if o.status != 200]
    assert all(o.error is not None or o.status == 503 for o in refused), refused[:3]
    assert all(o.ended - o.started < load.timeout for o in outcomes)
    in_flight = [
        o for o in outcomes if o.started < sigterm_at < o.ended and o.status == 200
    ]

    REPORT["api_stop"] = {
        "stop_s": round(stop_s, 2),
        "graceful_timeout_s": GRACEFUL_TIMEOUT,
        "in_flight_at_sigterm_completed": len(in_flight),
        "accepted": len(logged),
        "refused_after_sigterm": len(refused),
    }
