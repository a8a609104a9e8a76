"""scripts/images.sh and the step helper it reports progress with."""

import json
import re
import subprocess
import time
from pathlib import Path

from standin import docker

REPO = Path(__file__).resolve().parents[2]


def bash(
    script: str, *args: str, cwd: Path = REPO, timeout: float = 900
) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script, "bash", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_step_prints_a_start_line_and_a_duration(engine):
    result = bash("source scripts/lib.sh; step 'warm the cache' sleep 0.2")

    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines[0] == "==> warm the cache"
    assert re.fullmatch(r"warm the cache: done in 0\.[2-9]s", lines[1]), lines


def test_failed_step_reports_and_returns_the_exit_code(engine):
    result = bash("source scripts/lib.sh; step 'fail on purpose' bash -c 'exit 3'")

    assert result.returncode == 3
    assert re.fullmatch(
        r"fail on purpose: failed \(exit 3\) after \d+\.\ds",
        result.stderr.splitlines()[-1],
    )


def test_warm_rerun_builds_nothing_and_ends_with_the_image_names(engine):
    first = bash("bash scripts/images.sh --standins")
    assert first.returncode == 0, first.stderr[-2000:]

    started = time.monotonic()
    second = bash("bash scripts/images.sh --standins")
    elapsed = time.monotonic() - started

    assert second.returncode == 0, second.stderr[-2000:]
    assert "==>" not in second.stderr, "a warm rerun must not rebuild anything"
    assert elapsed < 10
    names = json.loads(second.stdout.splitlines()[-1])
    assert set(names) == {"postgres", "pythonBase"}
    for image in names.values():
        assert docker("image", "inspect", image, check=False).returncode == 0, image


def test_unknown_argument_exits_2_naming_it(engine):
    result = bash("bash scripts/images.sh --pull")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: unknown argument '--pull'; expected no argument or --standins"
    )


def test_cache_key_does_not_depend_on_the_current_directory(engine, tmp_path):
    # The repository root has a Dockerfile of its own, like images/python/.
    assert bash("bash scripts/images.sh --standins").returncode == 0

    elsewhere = bash(f"bash {REPO}/scripts/images.sh --standins", cwd=tmp_path)

    assert elsewhere.returncode == 0, elsewhere.stderr[-2000:]
    assert "==>" not in elsewhere.stderr
