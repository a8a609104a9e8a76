"""kill -9 of one Gunicorn worker under load: the master replaces it, and
every request either gets its answer or an error its client sees."""

from __future__ import annotations

import os
import signal
import time

import httpx
from conftest import REPORT
from traffic import DecisionLoad, send, wait_until

from bench.deployment import docker


def workers_of(container: dict) -> list[int]:
    master = container["State"]["Pid"]
    rows = docker("top", container["Id"], "-eo", "pid,ppid").splitlines()[1:]
    return sorted(
        int(pid) for pid, ppid in (r.split() for r in rows) if int(ppid) == master
    )


def test_a_killed_worker_is_replaced_and_no_request_is_lost_silently(stack):
    api = stack.container("api")
    before = workers_of(api)
    assert len(before) >= 2, f"expected at least two workers, found {before}"

    with DecisionLoad(stack.url, stack.requests, threads=4, max_seconds=40) as load:
        time.sleep(2)
        victim = before[0]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)

        # Replaced: as many workers as before, the victim not among them.
        replaced_s = wait_until(
            "the master replacing the killed worker",
            lambda: (
                len(workers_of(api)) == len(before) and victim not in workers_of(api)
            ),
            timeout=20,
        )
        time.sleep(2)
    outcomes = load.snapshot()

    assert outcomes, "the load sent nothing"
    after_kill = [o for o in outcomes if o.started >= killed_at]
    errors = [o for o in outcomes if o.status != 200]
    ok_since = [o.ended - killed_at for o in after_kill if o.status == 200]
    # Every failure reached its client as a status or a transport error,
    # well before the client's own timeout: nothing hung.
    assert all(o.ended - o.started < load.timeout for o in outcomes)
    assert {o.status for o in errors} <= {None}, {o.status for o in errors}
    assert {o.error for o in errors} <= {
        "RemoteProtocolError",
        "ReadError",
        "ConnectError",
    }, {o.error for o in errors}
    # At most the killed worker's share: a request in flight per client.
    assert len(errors) <= 4, [o.error for o in errors]
    assert ok_since, "no decision succeeded after the kill"

    # A request whose answer was lost is retried under its event id: the
    # answer then matches the one the log recorded, so none was lost.
    logged = stack.logged_events([o.event_id for o in errors])
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        for o in errors:
            retry = send(client, o.token, o.body)
            assert retry.status == 200, retry
            if o.event_id in logged:
                assert retry.decision == logged[o.event_id]

    REPORT["worker_kill"] = {
        "requests": len(outcomes),
        "errors": len(errors),
        "error_rate": round(len(errors) / len(outcomes), 5),
        "worker_replaced_s": round(replaced_s, 2),
        "first_success_after_kill_s": round(min(ok_since), 3),
        "answers_lost_then_recovered_by_retry": sum(
            o.event_id in logged for o in errors
        ),
    }
