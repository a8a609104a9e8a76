"""The bench from deploy to report: ``python -m bench [--quick] [--keep]``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import delivery, loader, profiling
from bench.deployment import (
    Deployment,
    EventWatcher,
    ReadyWatcher,
    base_images,
    docker,
    parse_docker_time,
    snapshot,
    sweep,
)
from bench.errors import BenchError
from bench.load import LoadResult, Request, run_wrk, write_requests
from bench.report import write_report
from bench.workload import decision_requests, event_queries

OUT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Mode:
    name: str
    scale: loader.Scale
    seconds: float
    levels: tuple[int, ...]
    fractions: tuple[float, ...]
    paced_connections: int
    decision_requests: int
    event_queries: int
    # Each deploy.ts call synthesizes again; quick mode skips the two calls
    # that measure nothing: the plan before the no-change redeploy (its
    # container ids tell the same) and the return to the defaults before the
    # destroy.
    plan_before_redeploy: bool = True
    restore_defaults: bool = True


QUICK = Mode(
    "quick",
    loader.QUICK,
    3,
    (8, 32),
    (0.5, 0.7, 0.9),
    16,
    2000,
    200,
    plan_before_redeploy=False,
    restore_defaults=False,
)
FULL = Mode(
    "full",
    loader.FULL,
    15,
    (1, 4, 16, 32, 64),
    (0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9),
    32,
    20000,
    2000,
)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextmanager
def step(what: str) -> Iterator[None]:
    progress(f"==> {what}")
    started = time.monotonic()
    try:
        yield
    except BaseException:
        progress(f"{what}: failed after {time.monotonic() - started:.1f}s")
        raise
    progress(f"{what}: done in {time.monotonic() - started:.1f}s")


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kib = 0
    return {
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "docker": docker("version", "--format", "{{.Server.Version}}").strip(),
    }


def limits_of(container: dict[str, Any]) -> dict[str, Any]:
    host = container["HostConfig"]
    cpus = host.get("NanoCpus") or 0
    memory = host.get("Memory") or 0
    return {
        "cpus": cpus / 1e9 if cpus else None,
        "memory": f"{memory // 2**20}m" if memory else None,
    }


def gunicorn_processes(container: dict[str, Any]) -> dict[str, Any]:
    """The master's host pid and its workers' host pids, from ``docker top``."""
    rows = docker("top", container["Id"], "-eo", "pid,ppid,args").splitlines()[1:]
    procs = []
    for row in rows:
        pid, ppid, args = row.split(None, 2)
        procs.append((int(pid), int(ppid), args))
    master = container["State"]["Pid"]
    workers = [
        pid for pid, ppid, args in procs if ppid == master and "gunicorn" in args
    ]
    return {"master": master, "workers": workers}


def worker_class(container: dict[str, Any]) -> str:
    """The worker class Gunicorn reported at start ("Using worker: ...")."""
    done = subprocess.run(
        ["docker", "logs", container["Id"]], capture_output=True, text=True
    )
    found = re.findall(r"Using worker: (\w+)", done.stdout + done.stderr)
    return found[-1] if found else "unknown"


# Milestones of the API container's start, as its log lines name them.
START_MILESTONES = (
    ("configuration checked", "configuration valid"),
    ("schema checked", "schema is at head"),
    ("gunicorn listening", "Listening at"),
    ("last worker booted", "Booting worker"),
    ("first ready answer", "/health/ready 200"),
)


def start_phases(container: dict[str, Any]) -> dict[str, float]:
    """Seconds from container start to each milestone in the API's log."""
    started = parse_docker_time(container["State"]["StartedAt"])
    done = subprocess.run(
        [
            "docker",
            "logs",
            "--timestamps",
            "--since",
            container["State"]["StartedAt"],
            container["Id"],
        ],
        capture_output=True,
        text=True,
    )
    phases: dict[str, float] = {}
    for line in (done.stdout + done.stderr).splitlines():
        stamp, _, text = line.partition(" ")
        for label, needle in START_MILESTONES:
            # The last worker's boot is the latest line; the rest the first.
            if needle in text and (
                label not in phases or label == "last worker booted"
            ):
                phases[label] = round(parse_docker_time(stamp) - started, 3)
    return phases


class Bench:
    def __init__(self, mode: Mode, keep: bool, out: Path) -> None:
        self.mode = mode
        self.keep = keep
        self.out = out
        self.work = OUT / "out"
        self.work.mkdir(parents=True, exist_ok=True)
        self.results: dict[str, Any] = {
            "schema": 1,
            "mode": mode.name,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        self.started = time.monotonic()

    # --- pieces ----------------------------------------------------------

    def context(self, deployment: Deployment) -> dict[str, Any]:
        api = deployment.container("api")
        processes = gunicorn_processes(api)
        return {
            "host_cpus": os.cpu_count(),
            "api_limits": limits_of(api),
            "postgres_limits": limits_of(deployment.container("postgres")),
            "workers": len(processes["workers"]),
            "threads": deployment.api_env.get("threads", 4),
            "worker_class": worker_class(api),
        }

    def wrk(
        self, deployment: Deployment, file: Path, connections: int, **kw: Any
    ) -> LoadResult:
        return run_wrk(
            deployment.base_url,
            file,
            connections=connections,
            seconds=kw.pop("seconds", self.mode.seconds),
            context=self.context(deployment),
            **kw,
        )

    def deploy_fresh(self, deployment: Deployment) -> None:
        events = EventWatcher([f"{deployment.name}-postgres", f"{deployment.name}-api"])
        watcher = ReadyWatcher(f"{deployment.base_url}/health/ready")
        watcher.start()
        try:
            deployed = deployment.deploy()
        finally:
            watcher.stop()
            events.stop()
        api, postgres = deployment.container("api"), deployment.container("postgres")
        api_start = parse_docker_time(api["State"]["StartedAt"])
        figures = self.results.setdefault("delivery", {})
        figures["deploy_s"] = round(deployed.seconds, 2)
        figures["postgres_to_healthy_s"] = events.start_to_healthy(
            postgres["Name"].lstrip("/")
        )
        figures["api_start_to_healthy_s"] = events.start_to_healthy(
            api["Name"].lstrip("/")
        )
        figures["api_start_to_ready_s"] = (
            round(watcher.first_ready - api_start, 2) if watcher.first_ready else None
        )
        figures["api_start_phases"] = start_phases(api)
        self.results["limits"] = {
            "api": limits_of(api),
            "postgres": limits_of(postgres),
        }

    def redeploy_unchanged(self, deployment: Deployment) -> None:
        before = {n: c["Id"] for n, c in deployment.containers().items()}
        image_before = docker(
            "image", "inspect", "--format", "{{.Id}}", f"{deployment.name}-api:bench"
        )
        empty = deployment.plan()[0] if self.mode.plan_before_redeploy else None
        redeployed = deployment.deploy()
        after = {n: c["Id"] for n, c in deployment.containers().items()}
        image_after = docker(
            "image", "inspect", "--format", "{{.Id}}", f"{deployment.name}-api:bench"
        )
        replaced = sorted(
            n for n in before.keys() | after.keys() if before.get(n) != after.get(n)
        )
        if image_before != image_after:
            replaced.append("image (rebuilt)")
        figures = self.results["delivery"]
        figures["redeploy_s"] = round(redeployed.seconds, 2)
        figures["redeploy_plan_empty"] = empty
        figures["redeploy_replaced"] = replaced

    def load_data(self, deployment: Deployment) -> loader.Dataset:
        secrets_ = deployment.secrets()
        data = loader.load(
            deployment.owner_conninfo(), secrets_["pin_hash_key"], self.mode.scale
        )
        self.results["data"] = data.summary()
        return data

    def decisions(self, deployment: Deployment, data: loader.Dataset) -> None:
        decision_file = self.work / "decisions.tsv"
        write_requests(
            decision_file, decision_requests(data, self.mode.decision_requests)
        )
        health_file = self.work / "health.tsv"
        write_requests(health_file, [Request("GET", "/health/live")])
        self._sanity_check(deployment, data)

        # Warm every worker's pool and caches before anything is measured.
        self.wrk(deployment, decision_file, max(self.mode.levels), seconds=1)

        levels = []
        for connections in self.mode.levels:
            health = self.wrk(deployment, health_file, connections)
            decision = self.wrk(deployment, decision_file, connections)
            levels.append(
                {
                    "connections": connections,
                    "health": health.to_dict(),
                    "decision": decision.to_dict(),
                    "ratio": round(decision.rps / health.rps, 3)
                    if health.rps
                    else None,
                }
            )
        peak = max(level["decision"]["rps"] for level in levels)
        ceiling = max(level["health"]["rps"] for level in levels)
        self.results["decisions"] = {
            "levels": levels,
            "peak_rps": peak,
            "health_ceiling_rps": ceiling,
            "ratio": round(peak / ceiling, 3),
        }

        # Paced load: each connection pauses so the total nears the target.
        # The unloaded latency is taken off the pause, as it adds to it.
        unloaded = min(level["decision"]["p50"] for level in levels)
        c = self.mode.paced_connections
        points = []
        for fraction in self.mode.fractions:
            target = peak * fraction
            delay = max(0.0, 1000 * c / target - unloaded)
            result = self.wrk(deployment, decision_file, c, mean_delay_ms=delay)
            points.append(
                {
                    "fraction": fraction,
                    "target_rps": round(target, 1),
                    "result": result.to_dict(),
                }
            )
        self.results["offered_load"] = {
            "peak_rps": peak,
            "connections": c,
            "points": points,
        }

    def _sanity_check(self, deployment: Deployment, data: loader.Dataset) -> None:
        """A few decisions by hand: the workload must reach the decision path."""
        sample = decision_requests(data, 40)
        counts: dict[str, int] = {}
        with httpx.Client(base_url=deployment.base_url, timeout=10) as client:
            for request in sample:
                body = json.loads(request.body.replace("{event_id}", str(_uuid())))
                response = client.post(
                    request.path,
                    json=body,
                    headers={"Authorization": f"Bearer {request.token}"},
                )
                if response.status_code >= 300:
                    raise BenchError(
                        f"a sample decision got {response.status_code}: {response.text[:300]}"
                    )
                reason = response.json()["reason"]
                counts[reason] = counts.get(reason, 0) + 1
        self.results["decision_sample_reasons"] = counts

    def events(self, deployment: Deployment, data: loader.Dataset) -> None:
        headers = {"Authorization": f"Bearer {data.auditor_token}"}
        paths = event_queries(data, self.mode.event_queries // 2)
        pages = []
        # Half the queries are second pages, reached through next_cursor.
        with httpx.Client(
            base_url=deployment.base_url, timeout=30, headers=headers
        ) as client:
            for path in paths:
                response = client.get(path)
                if response.status_code != 200:
                    raise BenchError(
                        f"GET {path} got {response.status_code}: {response.text[:300]}"
                    )
                cursor = response.json().get("next_cursor")
                if cursor:
                    pages.append(f"{path}&cursor={cursor}")
        requests = [Request("GET", p, data.auditor_token) for p in paths + pages]
        file = self.work / "events.tsv"
        write_requests(file, requests)
        result = self.wrk(deployment, file, max(self.mode.levels[0], 8))
        with deployment_db(deployment) as count:
            events_in_log = count
        self.results["events"] = {
            "events_in_log": events_in_log,
            "queries": len(requests),
            "second_pages": len(pages),
            "result": result.to_dict(),
        }

    def workers(self, deployment: Deployment, data: loader.Dataset) -> None:
        """The original settings next to the project defaults, same load."""
        connections = max(self.mode.levels)
        decision_file = self.work / "decisions.tsv"
        defaults = self.wrk(deployment, decision_file, connections)
        defaults_ctx = dict(defaults.context)

        host_cpus = os.cpu_count() or 1
        original_env = {"webConcurrency": host_cpus + 1, "threads": 1}
        original = Deployment(
            deployment.name,
            deployment.images,
            api_port=deployment.api_port,
            postgres_port=deployment.postgres_port,
            api_env={**deployment.api_env, **original_env},
            limits=deployment.limits,
            extra=deployment.extra,
            repo=deployment.repo,
        )
        with step("redeploy with the original worker settings"):
            original.deploy()
        self.wrk(original, decision_file, connections, seconds=1)
        measured = self.wrk(original, decision_file, connections)
        if self.mode.restore_defaults:
            with step("redeploy with the project defaults"):
                deployment.deploy()

        ratio = defaults.rps / measured.rps if measured.rps else None
        self.results["workers"] = {
            "original": {
                "label": f"original: {measured.context['worker_class']},"
                f" {measured.context['workers']} workers x 1 thread (host CPUs + 1)",
                "env": original_env,
                "result": measured.to_dict(),
            },
            "defaults": {
                "label": f"defaults: {defaults_ctx['worker_class']},"
                f" {defaults_ctx['workers']} workers x {defaults_ctx['threads']} threads"
                " (cgroup CPU limit + 1)",
                "env": deployment.api_env,
                "result": defaults.to_dict(),
            },
            "ratio": round(ratio, 3) if ratio else None,
            "winner": "the project defaults"
            if (ratio or 0) >= 1
            else "the original settings",
        }

    def profile(self, deployment: Deployment) -> None:
        try:
            self.results["profile"] = profiling.profile_decisions(
                self, deployment, self.work / "decisions.tsv"
            )
        except BenchError as err:
            # A missing profile weakens the report but voids no figure.
            self.results["profile"] = {"summary": f"no profile: {err}", "top": []}

    def delivery(self, deployment: Deployment) -> None:
        figures = self.results.setdefault("delivery", {})
        figures["synth_s"] = round(
            delivery.synth_seconds(deployment.config_path, deployment.repo), 2
        )
        builds = delivery.image_builds(deployment.name, deployment.images["pythonBase"])
        figures.update(
            build_cold_s=builds.cold_s,
            build_warm_s=builds.warm_s,
            dependency_layer_reused=builds.dependency_layer_reused,
            warm_rebuilt_steps=builds.rebuilt_steps,
            base_image_changed_during_builds=builds.base_image_changed,
            image_bytes=builds.image_bytes,
            base_image_bytes=builds.base_image_bytes,
            base_image=deployment.images["pythonBase"],
        )
        figures["context"] = {
            "host_cpus": os.cpu_count(),
            "limits": self.results.get("limits"),
        }

    # --- the run ---------------------------------------------------------

    def run(self) -> int:
        images = base_images()
        name = f"sa-bench-{secrets.token_hex(3)}"
        deployment = Deployment(
            name,
            images,
            api_env={"workersPerCore": 1, "threads": 4, "gracefulTimeout": 20},
            extra={
                "images": {
                    "postgres": images["postgres"],
                    "apiBase": images["pythonBase"],
                    "apiTag": "bench",
                },
                # Generous: a busy machine slows the first probes, and a
                # failed deploy costs more than a long wait.
                "waitTimeouts": {"postgres": 120, "api": 120},
            },
        )
        self.results["machine"] = machine()
        tree = Path(tempfile.mkdtemp(prefix="bench-tree-"))
        deployment.repo = snapshot(tree)
        try:
            with step(f"deploy {name}"):
                self.deploy_fresh(deployment)
            ctx = self.context(deployment)
            self.results["deployment"] = {
                "name": name,
                "workers": ctx["workers"],
                "threads": ctx["threads"],
                "worker_class": ctx["worker_class"],
            }
            with step("redeploy with no change"):
                self.redeploy_unchanged(deployment)
            with step(f"load data ({self.mode.scale.events:,} events)"):
                data = self.load_data(deployment)
            with step("decisions next to health, and paced load"):
                self.decisions(deployment, data)
            with step("event log queries"):
                self.events(deployment, data)
            # Profiled before the worker comparison, which may leave the
            # original settings deployed.
            if profiling.wanted(self.results):
                with step("profile of the decision path"):
                    self.profile(deployment)
            with step("worker settings"):
                self.workers(deployment, data)
            with step("delivery: synth and image builds"):
                self.delivery(deployment)
        finally:
            if self.keep:
                progress(f"bench: kept {deployment.name}; destroy it from {tree}")
            else:
                teardown(deployment)
                shutil.rmtree(tree, ignore_errors=True)
        self.results["duration_s"] = round(time.monotonic() - self.started, 1)
        targets = write_report(self.results, self.out)
        print_figures(self.results, targets)
        return 0


def teardown(deployment: Deployment) -> None:
    """Destroy, then sweep whatever the destroy left; never mask an error."""
    try:
        with step(f"destroy {deployment.name}"):
            deployment.destroy()
    except BenchError as err:
        progress(f"bench: {str(err).splitlines()[-1]}; sweeping {deployment.name}-*")
    left = sweep(deployment.name)
    if left:
        progress(f"bench: swept what the destroy left: {', '.join(left)}")
    shutil.rmtree(deployment.workdir, ignore_errors=True)


def deployment_db(deployment: Deployment) -> Any:
    import psycopg

    @contextmanager
    def counted() -> Iterator[int]:
        with psycopg.connect(deployment.owner_conninfo()) as conn:
            yield conn.execute("SELECT count(*) FROM access_events").fetchone()[0]

    return counted()


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def print_figures(results: dict[str, Any], targets: list[Any]) -> None:
    mark = "[quick] " if results["mode"] == "quick" else ""
    d = results.get("decisions", {})
    lines = [
        f"machine: {results['machine']['cpus']} CPUs, limits {results.get('limits')}",
        f"decisions peak {d.get('peak_rps')} req/s, health ceiling"
        f" {d.get('health_ceiling_rps')} req/s, ratio {d.get('ratio')}",
    ]
    for p in results.get("offered_load", {}).get("points", []):
        r = p["result"]
        lines.append(
            f"offered {p['fraction']:.0%} of peak: {r['rps']:.0f} req/s,"
            f" p50 {r['p50']:.1f} p95 {r['p95']:.1f} p99 {r['p99']:.1f} ms"
        )
    w = results.get("workers")
    if w:
        lines.append(f"workers: defaults / original = {w['ratio']} ({w['winner']} win)")
    e = results.get("events")
    if e:
        lines.append(
            f"events: {e['result']['rps']:.0f} req/s, p99 {e['result']['p99']:.1f} ms over {e['events_in_log']:,} events"
        )
    for key, value in results.get("delivery", {}).items():
        if key != "context":
            lines.append(f"delivery {key}: {value}")
    for t in targets:
        lines.append(f"target {t.text}: {t.measured} -> {t.verdict}")
    for line in lines:
        print(mark + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller data, short runs (< 3 min)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the deployment running"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where results.json, report.md and latency.svg go"
        " (default: bench/ for a full run, bench/out/quick/ for a quick one,"
        " so a quick run never overwrites the published figures)",
    )
    args = parser.parse_args(argv)
    try:
        out = args.out or (OUT / "out" / "quick" if args.quick else OUT)
        return Bench(QUICK if args.quick else FULL, args.keep, out).run()
    except BenchError as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
