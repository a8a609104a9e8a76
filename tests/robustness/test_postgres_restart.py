"""PostgreSQL restarts under load: 503 while it is down, never 500, automatic
recovery, and every decision a client was answered with is in the log."""

from __future__ import annotations

import time

import httpx
from conftest import REPORT
from traffic import DecisionLoad, wait_until

from bench.deployment import docker


def ready(url: str) -> int | None:
    try:
        return httpx.get(f"{url}/health/ready", timeout=2).status_code
    except httpx.HTTPError:
        return None


def test_a_database_restart_gives_503_then_recovers_with_every_answer_logged(stack):
    postgres = stack.container("postgres")["Id"]

    with DecisionLoad(stack.url, stack.requests, threads=4, max_seconds=90) as load:
        time.sleep(2)
        stop_at = time.monotonic()
        docker("stop", "-t", "10", postgres)
        stopped_at = time.monotonic()
        # Long enough for answers to come back: with the container gone, a
        # new connection waits on name resolution before it fails.
        time.sleep(8)
        readiness_down = ready(stack.url)
        start_at = time.monotonic()
        docker("start", postgres)

        recovered_s = wait_until(
            "a granted or denied answer after PostgreSQL started",
            lambda: any(
                o.status == 200 and o.started >= start_at for o in load.snapshot()
            ),
            timeout=45,
        )
        time.sleep(2)
    outcomes = load.snapshot()

    statuses = {o.status for o in outcomes}
    assert 500 not in statuses, "a 500 reached a client during the restart"
    assert statuses <= {200, 503}, statuses
    assert not [o for o in outcomes if o.status is None], (
        "the API itself dropped requests"
    )
    # Answered while down: a request may wait on the dead pool for a while,
    # so what counts is when the answer came, not when the request left.
    while_down = [o for o in outcomes if stopped_at <= o.ended < start_at]
    assert while_down, "no answer came while PostgreSQL was down"
    assert {o.status for o in while_down} == {503}, {o.status for o in while_down}
    assert readiness_down == 503
    tail = [o.status for o in outcomes if o.started >= start_at + recovered_s + 1]
    assert tail and set(tail) == {200}, "the API had not recovered a second later"
    wait_until("readiness back to 200", lambda: ready(stack.url) == 200, timeout=20)

    answered = {o.event_id: o.decision for o in outcomes if o.status == 200}
    granted = [e for e, d in answered.items() if d == "granted"]
    assert granted, "no decision was granted: the check below would prove nothing"
    logged = stack.logged_events(list(answered))
    assert set(answered) - set(logged) == set(), (
        "answered decisions missing from the log"
    )
    assert {e: logged[e] for e in answered} == answered

    REPORT["postgres_restart"] = {
        "requests": len(outcomes),
        "answered_503": sum(o.status == 503 for o in outcomes),
        "answered_500": 0,
        "down_s": round(start_at - stop_at, 2),
        "slowest_503_s": round(max(o.ended - o.started for o in while_down), 3),
        "recovery_after_start_s": round(recovered_s, 2),
        "granted_checked_in_log": len(granted),
    }
