"""Delivery figures: synth time, image builds cold and warm, image sizes.

Builds run in a throwaway copy of the working tree under their own tags, so
the copy's one-line change never touches the repository and the deployment's
image is left alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.deployment import REPO, docker, snapshot
from bench.errors import BenchError


def timed(
    command: list[str], *, cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
        raise BenchError(f"{' '.join(command[:3])} exited {done.returncode}:\n{tail}")
    return elapsed, done.stdout + done.stderr


def synth_seconds(config_path: Path, repo: Path = REPO) -> float:
    """Wall time of ``cdktf synth``: both stacks, into a scratch directory."""
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as out:
        seconds, _ = timed(
            ["npx", "cdktf", "synth", "--output", out],
            cwd=repo,
            env={"CHECKPOINT_DISABLE": "1", "SMART_ACCESS_CONFIG": str(config_path)},
        )
        stacks = sorted(p.name for p in (Path(out) / "stacks").iterdir())
    if stacks != ["local", "production"]:
        raise BenchError(
            f"cdktf synth wrote stacks {stacks}; expected local and production"
        )
    return seconds


@dataclass
class Builds:
    cold_s: float
    warm_s: float
    dependency_layer_reused: bool
    rebuilt_steps: list[str]
    image_bytes: int
    base_image_bytes: int
    base_image_changed: bool


# The legacy builder prints a step line, then " ---> Using cache" when reused.
STEP = re.compile(r"^Step \d+/\d+ : (.*)$")


def cached_steps(output: str) -> dict[str, bool]:
    """Each Dockerfile step of a legacy-builder log and whether it was cached."""
    steps: dict[str, bool] = {}
    current = None
    for line in output.splitlines():
        match = STEP.match(line.strip())
        if match:
            current = match.group(1)
            steps[current] = False
        elif current and "Using cache" in line:
            steps[current] = True
    return steps


def image_builds(
    tag_prefix: str, base_image: str, changed_file: str = "app/wsgi.py"
) -> Builds:
    """Build cold (no cache), then warm after a one-line change to a source file."""
    env = {"DOCKER_BUILDKIT": "0"}
    cold_tag, warm_tag = f"{tag_prefix}-build:cold", f"{tag_prefix}-build:warm"
    base_id = docker("image", "inspect", "--format", "{{.Id}}", base_image).strip()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        tree = Path(tmp)
        snapshot(tree)
        args = ["--build-arg", f"BASE_IMAGE={base_image}"]
        try:
            cold_s, _ = timed(
                ["docker", "build", "--no-cache", "-t", cold_tag, *args, "."],
                cwd=tree,
                env=env,
            )
            target = tree / changed_file
            target.write_text(
                target.read_text() + f"# bench rebuild {time.time_ns()}\n"
            )
            warm_s, output = timed(
                ["docker", "build", "-t", warm_tag, *args, "."], cwd=tree, env=env
            )
            steps = cached_steps(output)
            dependency_steps = [s for s, cached in steps.items() if "requirements" in s]
            reused = bool(dependency_steps) and all(steps[s] for s in dependency_steps)
            rebuilt = [
                s
                for s, cached in steps.items()
                if not cached and not s.startswith(("ARG", "FROM"))
            ]
            size = int(
                docker("image", "inspect", "--format", "{{.Size}}", warm_tag).strip()
            )
        finally:
            docker("rmi", "-f", cold_tag, warm_tag, check=False)
    base = int(docker("image", "inspect", "--format", "{{.Size}}", base_image).strip())
    # Another build replacing the base image between the two builds would
    # explain a cache miss; say so rather than report a slow warm build.
    changed = (
        docker("image", "inspect", "--format", "{{.Id}}", base_image).strip() != base_id
    )
    return Builds(
        round(cold_s, 2), round(warm_s, 2), reused, rebuilt, size, base, changed
    )
