"""One deployment of the local stack shared by the robustness tests.

It is deployed under its own name with free loopback ports through the
user's CLI, filled with a small data set, and destroyed at the end of the
session whatever happens (a finalizer, SIGTERM turned into an interrupt, and
a sweep of anything carrying its name). Disruptive modules run last.
"""

from __future__ import annotations

import json
import secrets
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bench import loader
from bench.deployment import Deployment, base_images, sweep
from bench.workload import decision_requests

# Rough first: the schema fuzzer creates and deletes rows at will, so it
# comes after every test that relies on the loaded data; the API stop ends
# with a restart and goes just before it.
MODULE_ORDER = [
    "test_bad_requests",
    "test_worker_kill",
    "test_postgres_restart",
    "test_api_stop",
    "test_schemathesis",
]
GRACEFUL_TIMEOUT = 10
SCALE = loader.Scale(
    people=300, doors=20, sites=5, groups=15, events=5_000, holidays_per_site=2
)
REPORT: dict[str, Any] = {}
REPORT_FILE = Path(__file__).resolve().parents[2] / "bench" / "out" / "robustness.json"


def pytest_configure(config: pytest.Config) -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def position(item: pytest.Item) -> int:
        module = Path(str(item.fspath)).stem
        return MODULE_ORDER.index(module) if module in MODULE_ORDER else -1

    items.sort(key=position)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORT:
        return
    terminalreporter.section("robustness figures")
    for test, figures in REPORT.items():
        terminalreporter.write_line(f"{test}: {json.dumps(figures)}")
    REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    REPORT_FILE.write_text(json.dumps(REPORT, indent=2) + "\n")


@dataclass
class Stack:
    deployment: Deployment
    data: loader.Dataset
    admin_token: str
    requests: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.deployment.base_url

    def container(self, role: str) -> dict[str, Any]:
        return self.deployment.container(role)

    def logged_events(self, event_ids: list[str]) -> dict[str, str]:
        """event id -> decision, for those of ``event_ids`` in the log."""
        import psycopg

        with psycopg.connect(self.deployment.owner_conninfo()) as conn:
            rows = conn.execute(
                "SELECT event_id::text, decision FROM access_events"
                " WHERE event_id = ANY(%s::uuid[])",
                (event_ids,),
            ).fetchall()
        return dict(rows)


@pytest.fixture(scope="session")
def stack() -> Any:
    name = f"sa-robust-{secrets.token_hex(3)}"
    deployment = Deployment(
        name,
        base_images(),
        api_env={
            "workersPerCore": 1,
            "threads": 4,
            "gracefulTimeout": GRACEFUL_TIMEOUT,
            "timeout": 30,
        },
    )
    deployment.extra = {
        "images": {
            "postgres": deployment.images["postgres"],
            "apiBase": deployment.images["pythonBase"],
            "apiTag": "robust",
        },
        "waitTimeouts": {"postgres": 120, "api": 120},
    }
    try:
        deployment.deploy()
        data = loader.load(
            deployment.owner_conninfo(), deployment.secrets()["pin_hash_key"], SCALE
        )
        requests = [
            (r.token, {k: v for k, v in json.loads(r.body).items() if k != "event_id"})
            for r in decision_requests(data, 400)
        ]
        yield Stack(
            deployment, data, deployment.secrets()["bootstrap_admin_token"], requests
        )
    finally:
        try:
            deployment.destroy()
        finally:
            left = sweep(name)
            shutil.rmtree(deployment.workdir, ignore_errors=True)
        assert not left, f"the destroy of {name} left {left}"
