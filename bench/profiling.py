"""Where a decision's time goes: py-spy samples of the API's workers.

py-spy is installed into a throwaway virtualenv under .cache/, never into the
project's; it attaches from the host to the workers' host pids, so the image
needs no profiler and no extra privilege.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from bench.deployment import REPO
from bench.errors import BenchError

VENV = REPO / ".cache" / "bench" / "profiler"
LATENCY_TARGETS = ("decision_p99", "decision_ratio", "events_p99")


def wanted(results: dict[str, Any]) -> bool:
    """Profile only when a latency or throughput target was missed."""
    from bench.report import evaluate_targets

    return any(
        t.key in LATENCY_TARGETS and t.met is False for t in evaluate_targets(results)
    )


def py_spy() -> Path:
    binary = VENV / "bin" / "py-spy"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        done = subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "-q", "py-spy"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BenchError(f"pip install py-spy failed: {done.stderr.strip()[-300:]}")
    return binary


def _package(frame: str) -> str:
    """The top-level package or module of a py-spy frame ``name (path:line)``."""
    _, _, where = frame.rpartition(" (")
    path = where.rsplit(":", 1)[0]
    if path.startswith("<"):
        return "generated code"
    head = path.split("/", 1)[0]
    return head.removesuffix(".py") or "?"


def summarize(raw: str, top: int = 12) -> list[tuple[str, float]]:
    """Share of samples that each package is on the stack for, from py-spy raw.

    Each raw line is ``frame;frame;...;leaf COUNT``. A package counts once per
    stack, so the shares are inclusive and may add up to more than 100%;
    packages on every stack (the thread machinery) say nothing and are left
    out.
    """
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack.strip() or not count.isdigit():
            continue
        n = int(count)
        total += n
        for name in {_package(frame) for frame in stack.split(";")}:
            inclusive[name] += n
    if not total:
        return []
    return [(name, n / total) for name, n in inclusive.most_common() if n < total][:top]


def leaf_functions(raw: str, top: int = 8) -> list[tuple[str, float]]:
    """Share of samples spent in each innermost frame (self time)."""
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack.strip() or not count.isdigit():
            continue
        total += int(count)
        leaf = stack.split(";")[-1]
        own[leaf.rsplit(":", 1)[0] + ")"] += int(count)
    return [(name, n / total) for name, n in own.most_common(top)] if total else []


def profile_decisions(
    bench: Any, deployment: Any, decision_file: Path
) -> dict[str, Any]:
    from bench.runner import gunicorn_processes

    binary = py_spy()
    workers = gunicorn_processes(deployment.container("api"))["workers"]
    seconds = max(3, int(bench.mode.seconds))
    out_dir = bench.work
    load = threading.Thread(
        target=bench.wrk,
        args=(deployment, decision_file, max(bench.mode.levels)),
        kwargs={"seconds": seconds + 2},
    )
    load.start()
    procs = []
    for pid in workers:
        target = out_dir / f"profile-{pid}.txt"
        procs.append(
            (
                target,
                subprocess.Popen(
                    [
                        str(binary),
                        "record",
                        "--pid",
                        str(pid),
                        "--duration",
                        str(seconds),
                        "--rate",
                        "200",
                        "--format",
                        "raw",
                        "--output",
                        str(target),
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    raw = []
    errors = []
    for target, proc in procs:
        _, err = proc.communicate(timeout=seconds + 60)
        if proc.returncode == 0 and target.exists():
            raw.append(target.read_text())
        else:
            errors.append(err.strip()[-200:])
    load.join()
    if not raw:
        raise BenchError(f"py-spy recorded nothing: {'; '.join(errors)}")
    joined = "\n".join(raw)
    return {
        "tool": "py-spy",
        "seconds": seconds,
        "workers": len(workers),
        "summary": f"py-spy sampled {len(workers)} workers at 200 Hz for {seconds} s"
        " under the peak decision load. First the share of busy samples in which"
        " each package is on the stack, then the innermost frames.",
        "top": summarize(joined),
        "leaves": leaf_functions(joined),
    }
