"""The root Dockerfile: what the image holds, and that it runs locked down.

Builds FROM the local stand-in base, as CI does. Docker and that base image
are prerequisites: without them these tests fail, naming what is missing.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE_IMAGE = "smart-access/python-standin:3.11"
CONTEXT_FILES = ("Dockerfile", ".dockerignore", "requirements.txt", "entrypoint.sh")
CONTEXT_DIRS = ("app", "contract")


def docker(*args: str, check: bool = True, timeout: float = 120) -> str:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def require_docker_and_base() -> None:
    if shutil.which("docker") is None:
        pytest.fail(
            "prerequisite missing: the docker CLI is not on PATH "
            "(run 'bash scripts/ensure-docker.sh')",
            pytrace=False,
        )
    info = subprocess.run(["docker", "info"], capture_output=True, timeout=60)
    if info.returncode != 0:
        pytest.fail(
            "prerequisite missing: the Docker engine does not answer "
            "(run 'bash scripts/ensure-docker.sh')",
            pytrace=False,
        )
    base = subprocess.run(
        ["docker", "image", "inspect", BASE_IMAGE], capture_output=True, timeout=60
    )
    if base.returncode != 0:
        pytest.fail(
            f"prerequisite missing: the base image {BASE_IMAGE} is not on the "
            "engine (run 'bash scripts/images.sh')",
            pytrace=False,
        )


def build(context: Path, tag: str, base: str) -> None:
    docker(
        "build",
        "--build-arg",
        f"BASE_IMAGE={base}",
        "--tag",
        tag,
        str(context),
        timeout=900,
    )


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """The stand-in base under a tag of this run's own, so that a rebuild of the
    stand-in while the tests run cannot change the base between two builds."""
    require_docker_and_base()
    tag = f"smart-access-api-test-base:{uuid.uuid4().hex[:10]}"
    docker("tag", BASE_IMAGE, tag)
    yield tag
    docker("image", "rm", tag, check=False)


@pytest.fixture(scope="module")
def image(base: str) -> Iterator[str]:
    tag = f"smart-access-api-test:{uuid.uuid4().hex[:10]}"
    build(ROOT, tag, base)
    yield tag
    docker("image", "rm", "--force", tag, check=False)


def inspect(image: str) -> dict:
    return json.loads(docker("image", "inspect", image))[0]


def run_in(image: str, script: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", "run", "--rm", *options, "--entrypoint", "sh", image, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_image_runs_as_an_unprivileged_user(image):
    result = run_in(image, "id -u; id -g")

    assert inspect(image)["Config"]["User"] == "10001:10001"
    assert result.stdout.split() == ["10001", "10001"]


def test_the_image_declares_its_entrypoint_port_and_healthcheck(image):
    config = inspect(image)["Config"]

    assert config["Entrypoint"] == ["/srv/entrypoint.sh"]
    assert config["Cmd"] == ["serve"]
    assert config["WorkingDir"] == "/srv"
    assert list(config["ExposedPorts"]) == ["5000/tcp"]
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "-m", "app.healthcheck"]
    assert "PYTHONDONTWRITEBYTECODE=1" in config["Env"]


def test_the_final_image_has_no_compiler_installer_or_cache(image):
    script = (
        "for tool in gcc cc c++ g++ make; do command -v $tool; done; "
        "ls /opt/venv/bin/pip* 2>/dev/null; "
        "ls -d /root/.cache/pip /tmp/requirements.txt 2>/dev/null; true"
    )

    result = run_in(image, script, "--user", "0")

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_only_the_allow_listed_files_reach_the_image(image):
    result = run_in(image, "ls -A /srv; ls -A /srv/contract")

    assert result.stdout.split() == [
        "app",
        "contract",
        "entrypoint.sh",
        "api-environment.json",
    ]


def test_the_sources_are_byte_compiled_at_build_time(image):
    script = (
        "cd /srv/app && for f in $(find . -name '*.py'); do "
        "d=$(dirname $f)/__pycache__; b=$(basename $f .py); "
        'ls $d/$b.*.pyc >/dev/null 2>&1 || echo "missing $f"; done'
    )

    result = run_in(image, script)

    assert result.returncode == 0
    assert result.stdout == ""


def test_a_bad_environment_stops_the_container_with_one_line(image):
    result = subprocess.run(
        ["docker", "run", "--rm", "--read-only", "-e", "WORKERS_PER_CORE=abc", image],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        "invalid configuration: WORKERS_PER_CORE: got 'abc'; expected a number > 0"
    )


def test_a_source_change_reuses_the_dependency_layer(image, base, tmp_path):
    context = tmp_path / "context"
    context.mkdir()
    for name in CONTEXT_FILES:
        shutil.copy2(ROOT / name, context / name)
    for name in CONTEXT_DIRS:
        shutil.copytree(ROOT / name, context / name)
    probe = context / "app" / "healthcheck.py"
    probe.write_text(probe.read_text() + "\n# changed by the layer-reuse test\n")
    changed = f"{image}-changed"

    build(context, changed, base)
    try:
        before = inspect(image)["RootFS"]["Layers"]
        after = inspect(changed)["RootFS"]["Layers"]
    finally:
        docker("image", "rm", "--force", changed, check=False)

    shared = [a for a, b in zip(before, after, strict=True) if a == b]
    # Only the layers from `COPY app/` on differ: app, entrypoint, byte-compile.
    assert len(shared) == len(before) - 3
    assert before[: len(shared)] == after[: len(shared)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_options(environ: dict[str, str]) -> list[str]:
    options = []
    for name, value in environ.items():
        options += ["-e", f"{name}={value}"]
    return options


LOCKED_DOWN = (
    "--read-only",
    "--tmpfs",
    "/tmp",
    "--tmpfs",
    "/dev/shm",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    # The test database listens on this machine's loopback only.
    "--network",
    "host",
)


def test_migrate_and_serve_run_on_a_read_only_root(image, database):
    migrate = subprocess.run(
        ["docker", "run", "--rm", *LOCKED_DOWN]
        + env_options(database.env(database.owner))
        + [image, "migrate"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr

    port = free_port()
    name = f"smart-access-api-test-{uuid.uuid4().hex[:8]}"
    environ = database.env(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    docker(
        "run",
        "--detach",
        "--name",
        name,
        *LOCKED_DOWN,
        "--health-interval",
        "1s",
        "--health-start-period",
        "30s",
        *env_options(environ),
        image,
    )
    try:
        status = wait_for_health(name)
        main_process = docker("exec", name, "cat", "/proc/1/cmdline")
        docker("stop", "--time", "30", name)
        state = json.loads(docker("inspect", name))[0]["State"]
        logs = subprocess.run(
            ["docker", "logs", name], capture_output=True, text=True, timeout=60
        )
    finally:
        docker("rm", "--force", name, check=False)

    assert status == "healthy", logs.stderr[-3000:]
    assert "gunicorn" in main_process
    assert state["ExitCode"] == 0
    assert "Shutting down: Master" in logs.stderr
    assert '"path":"/health/ready","status":200' in logs.stdout
    assert environ["DB_PASSWORD"] not in logs.stdout + logs.stderr
    assert "Read-only file system" not in logs.stderr


def wait_for_health(name: str) -> str:
    deadline = time.monotonic() + 90
    while True:
        state = json.loads(docker("inspect", name))[0]["State"]
        status = state.get("Health", {}).get("Status", "none")
        if status == "healthy" or not state["Running"]:
            return status
        if time.monotonic() > deadline:
            return status
        time.sleep(0.5)
