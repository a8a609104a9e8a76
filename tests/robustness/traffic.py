"""Decisions sent from background threads, every outcome kept client-side.

Each request carries a fresh event id that the test remembers, so the event
log can be checked afterwards against what the clients were told. Loops stop
at a request count or a deadline, whichever comes first.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Outcome:
    token: str
    body: dict
    started: float
    ended: float
    status: int | None = None
    decision: str | None = None
    error: str | None = None

    @property
    def event_id(self) -> str:
        return self.body["event_id"]


class DecisionLoad:
    """``threads`` clients looping over ``requests`` (token, body without id)."""

    def __init__(
        self,
        base_url: str,
        requests: list[tuple[str, dict]],
        *,
        threads: int = 4,
        max_requests: int = 20_000,
        max_seconds: float = 90,
        timeout: float = 10,
        pause: float = 0.002,
    ) -> None:
        if not base_url.startswith("http://127.0.0.1:"):
            raise ValueError(f"load goes to loopback only: got {base_url!r}")
        self.base_url = base_url
        self.timeout = timeout
        self.pause = pause
        self.deadline = time.monotonic() + max_seconds
        self._budget = itertools.count()
        self._max = max_requests
        self._requests = itertools.cycle(requests)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.outcomes: list[Outcome] = []
        self._threads = [
            threading.Thread(target=self._loop, daemon=True) for _ in range(threads)
        ]

    def _next(self) -> tuple[str, dict] | None:
        with self._lock:
            if next(self._budget) >= self._max:
                return None
            token, body = next(self._requests)
        return token, {**body, "event_id": str(uuid.uuid4())}

    def _loop(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=self.timeout) as client:
            while not self._stop.is_set() and time.monotonic() < self.deadline:
                item = self._next()
                if item is None:
                    return
                token, body = item
                self.outcomes_append(send(client, token, body))
                self._stop.wait(self.pause)

    def outcomes_append(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def __enter__(self) -> DecisionLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 5)

    def snapshot(self) -> list[Outcome]:
        with self._lock:
            return list(self.outcomes)

    def statuses(self, since: float = 0.0, until: float = float("inf")) -> Counter:
        return Counter(
            o.status if o.status is not None else o.error
            for o in self.snapshot()
            if since <= o.started < until
        )


def send(client: httpx.Client, token: str, body: dict) -> Outcome:
    started = time.monotonic()
    try:
        response = client.post(
            "/v1/decisions", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.HTTPError as exc:
        return Outcome(token, body, started, time.monotonic(), error=type(exc).__name__)
    decision = None
    if 200 <= response.status_code < 300:
        decision = response.json().get("decision")
    return Outcome(
        token, body, started, time.monotonic(), response.status_code, decision
    )


def wait_until(what: str, check, timeout: float, interval: float = 0.1) -> float:
    """Poll ``check`` until true; the seconds it took, or AssertionError."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic() - started
