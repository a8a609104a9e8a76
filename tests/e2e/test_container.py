"""The API container's process model and hardening, as the engine sees them."""

from __future__ import annotations

import math

import harness
import pytest
from harness import Deployment


@pytest.fixture(scope="module")
def api_container(deployment: Deployment) -> str:
    return deployment.container("api")


@pytest.fixture(scope="module")
def api_inspect(api_container: str) -> dict:
    return harness.docker_inspect(api_container)


def _cpu_limit(host_config: dict) -> float:
    if host_config.get("NanoCpus"):
        return host_config["NanoCpus"] / 1e9
    if host_config.get("CpuQuota", 0) > 0:
        return host_config["CpuQuota"] / (host_config.get("CpuPeriod") or 100_000)
    raise AssertionError(
        f"the API container has no CPU limit: NanoCpus={host_config.get('NanoCpus')}, "
        f"CpuQuota={host_config.get('CpuQuota')}"
    )


def _expected_workers(env: dict[str, str], cores: int) -> int:
    # The contract's formula, worked from what the stack actually passed.
    if env.get("WEB_CONCURRENCY"):
        return int(env["WEB_CONCURRENCY"])
    per_core = float(env.get("WORKERS_PER_CORE") or 1)
    workers = max(math.floor(per_core * cores) + 1, 2)
    if env.get("MAX_WORKERS"):
        workers = min(workers, int(env["MAX_WORKERS"]))
    return workers


def _gunicorn_processes(container: str) -> tuple[int, list[int]]:
    """(master pid, worker pids): gunicorn processes by parentage."""
    table = harness.docker("top", container, "-eo", "pid,ppid,args")
    rows = []
    for line in table.splitlines()[1:]:
        pid, ppid, args = line.split(None, 2)
        if "gunicorn" in args:
            rows.append((int(pid), int(ppid)))
    pids = {pid for pid, _ in rows}
    masters = [pid for pid, ppid in rows if ppid not in pids]
    assert len(masters) == 1, f"expected one Gunicorn master, found:\n{table}"
    workers = [pid for pid, ppid in rows if ppid == masters[0]]
    return masters[0], workers


def test_gunicorn_runs_the_workers_the_cpu_limit_implies(
    api_container: str, api_inspect: dict
) -> None:
    env = dict(item.split("=", 1) for item in api_inspect["Config"]["Env"])
    cores = math.ceil(_cpu_limit(api_inspect["HostConfig"]))
    expected = _expected_workers(env, cores)

    _, workers = _gunicorn_processes(api_container)

    # The test config asks for 1 CPU and 1 worker per core: 2, not the 3 that
    # counting this machine's CPUs would give.
    assert (cores, expected) == (1, 2)
    assert len(workers) == expected, (
        f"{len(workers)} Gunicorn workers for WORKERS_PER_CORE="
        f"{env.get('WORKERS_PER_CORE')} and a {cores}-CPU limit; expected {expected}"
    )


def test_api_container_runs_as_a_non_root_user(
    api_container: str, api_inspect: dict
) -> None:
    user = api_inspect["Config"]["User"]

    uid = harness.docker("exec", api_container, "id", "-u")

    assert user not in ("", "root", "0") and not user.startswith(("0:", "root:"))
    assert uid != "0", f"processes in the API container run as uid {uid}"


def test_api_container_root_filesystem_is_read_only(
    api_container: str, api_inspect: dict
) -> None:
    assert api_inspect["HostConfig"]["ReadonlyRootfs"] is True

    for path in ("/e2e-probe", "/srv/e2e-probe", "/opt/venv/e2e-probe"):
        result = harness.run(
            ["docker", "exec", api_container, "sh", "-c", f": > {path}"],
            check=False,
        )
        assert result.returncode != 0, f"wrote {path} in the API container"
        assert "Read-only file system" in result.output, result.output
