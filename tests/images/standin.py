"""Helpers for the stand-in image tests: the Docker CLI and polling."""

import json
import subprocess
import time
import uuid
from collections.abc import Callable

import pytest

POSTGRES_IMAGE = "smart-access/postgres-standin:15"
PYTHON_IMAGE = "smart-access/python-standin:3.11"
NAME_PREFIX = "sa-images-test-"


def docker(
    *args: str, check: bool = True, timeout: float = 120, env=None
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["docker", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"docker {' '.join(args)} exited {result.returncode}: "
            f"{result.stderr.strip()}"
        )
    return result


def unique_name(role: str) -> str:
    return f"{NAME_PREFIX}{role}-{uuid.uuid4().hex[:8]}"


def state(name: str) -> dict:
    return json.loads(docker("inspect", "--format", "{{json .State}}", name).stdout)


def logs(name: str) -> str:
    result = docker("logs", name)
    return result.stdout + result.stderr


def wait_for(
    name: str, probe: Callable[[], bool], what: str, timeout: float = 60
) -> None:
    """Poll probe until it holds; fail early with the log if the container
    has exited, or after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not probe():
        if not state(name)["Running"]:
            pytest.fail(f"{name} exited before {what}; log:\n{logs(name)[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"{name}: no {what} within {timeout}s; log:\n{logs(name)[-3000:]}"
            )
        time.sleep(0.3)


def wait_for_exit(name: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while state(name)["Running"]:
        if time.monotonic() > deadline:
            pytest.fail(
                f"{name} still running after {timeout}s; log:\n{logs(name)[-3000:]}"
            )
        time.sleep(0.3)
    return state(name)["ExitCode"]
