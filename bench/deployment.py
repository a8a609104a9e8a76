"""A deployment of the local stack that the bench owns, through scripts/deploy.ts.

The bench deploys with the same command a user runs; it differs only in its
configuration file: its own name, free loopback ports and the images this
machine has. Docker facts (container ids, start and health times) are read
back from the engine, never assumed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.errors import BenchError

REPO = Path(__file__).resolve().parent.parent
DEPLOY = ["npx", "tsx", "scripts/deploy.ts"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_images() -> dict[str, str]:
    """The images scripts/images.sh says to use (its last stdout line)."""
    done = subprocess.run(
        ["bash", "scripts/images.sh"], cwd=REPO, capture_output=True, text=True
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise BenchError(f"scripts/images.sh exited {done.returncode}: {tail[0]}")
    lines = done.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise BenchError(
            f"scripts/images.sh printed {lines[-1:]!r} last; expected a JSON object"
            ' such as {"postgres": "...", "pythonBase": "..."}'
        ) from None


def docker(*args: str, check: bool = True) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise BenchError(f"docker {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def parse_docker_time(value: str) -> float:
    """Epoch seconds of a Docker timestamp (nanoseconds, trailing Z)."""
    head, _, fraction = value.rstrip("Z").partition(".")
    moment = dt.datetime.fromisoformat(head).replace(tzinfo=dt.UTC)
    return moment.timestamp() + float(f"0.{fraction or '0'}")


@dataclass
class Timed:
    seconds: float
    output: str


class ReadyWatcher(threading.Thread):
    """Polls GET /health/ready until the first 200 and notes when it came."""

    def __init__(self, url: str, stop_after_s: float = 600) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.deadline = time.time() + stop_after_s
        self.first_ready: float | None = None
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set() and time.time() < self.deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=1) as response:
                    if response.status == 200:
                        self.first_ready = time.time()
                        return
            except OSError:
                pass
            self._stop.wait(0.05)

    def stop(self) -> None:
        self._stop.set()


@dataclass
class Deployment:
    """One named deployment of the local stack and its configuration file."""

    name: str
    images: Mapping[str, str]
    api_port: int = field(default_factory=free_port)
    postgres_port: int = field(default_factory=free_port)
    api_env: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # The tree deploy.ts runs in: a snapshot, so edits to the working tree
    # during a run cannot change the image's build context mid-measurement.
    repo: Path = REPO
    _outputs: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def workdir(self) -> Path:
        return self.repo / ".smart-access" / self.name

    @property
    def config_path(self) -> Path:
        # Outside the repository: a file inside it could land in the image's
        # build context and make a no-change redeploy rebuild the image.
        return Path(tempfile.gettempdir()) / "smart-access-bench" / f"{self.name}.json"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def config(self) -> dict[str, Any]:
        local: dict[str, Any] = {
            "name": self.name,
            "ports": {"api": self.api_port, "postgres": self.postgres_port},
            "images": {
                "postgres": self.images["postgres"],
                "apiBase": self.images["pythonBase"],
            },
        }
        if self.api_env:
            local["api"] = dict(self.api_env)
        if self.limits:
            local["limits"] = dict(self.limits)
        local.update(self.extra)
        return {"local": local}

    def _write_config(self) -> None:
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(self.config(), indent=2) + "\n")

    def _run(self, *args: str, ok: tuple[int, ...] = (0,)) -> Timed:
        self._write_config()
        env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
        command = [*DEPLOY, *args, "local", "--config", str(self.config_path)]
        started = time.monotonic()
        done = subprocess.run(
            command, cwd=self.repo, capture_output=True, text=True, env=env
        )
        elapsed = time.monotonic() - started
        log = REPO / "bench" / "out" / f"{self.name}-{args[0]}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as f:
            f.write(
                f"$ {' '.join(command)}  # {elapsed:.1f}s, exit {done.returncode}\n"
            )
            f.write(done.stdout + done.stderr)
        if done.returncode not in ok:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise BenchError(
                f"deploy.ts {args[0]} of {self.name} exited {done.returncode}:\n{tail}"
            )
        return Timed(elapsed, done.stdout + done.stderr)

    def deploy(self) -> Timed:
        return self._run("deploy")

    def plan(self) -> tuple[bool, str]:
        """(whether the plan is empty, its output): exit 0 empty, 2 changes."""
        self._write_config()
        env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
        command = [*DEPLOY, "plan", "local", "--config", str(self.config_path)]
        done = subprocess.run(
            command, cwd=self.repo, capture_output=True, text=True, env=env
        )
        if done.returncode not in (0, 2):
            raise BenchError(
                f"deploy.ts plan exited {done.returncode}: {done.stderr.strip()}"
            )
        return done.returncode == 0, done.stdout + done.stderr

    def destroy(self) -> Timed:
        return self._run("destroy")

    def secrets(self) -> dict[str, str]:
        path = self.workdir / "secrets.json"
        try:
            return json.loads(path.read_text())
        except OSError as err:
            raise BenchError(
                f"cannot read the deployment's secrets at {path}: {err}"
            ) from None

    def outputs(self) -> dict[str, Any]:
        env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
        command = [
            *DEPLOY,
            "outputs",
            "local",
            "--config",
            str(self.config_path),
            "--json",
        ]
        done = subprocess.run(
            command, cwd=self.repo, capture_output=True, text=True, env=env
        )
        if done.returncode != 0:
            raise BenchError(
                f"deploy.ts outputs exited {done.returncode}: {done.stderr.strip()}"
            )
        return json.loads(done.stdout)

    def containers(self) -> dict[str, dict[str, Any]]:
        """Inspected containers of this deployment, keyed by container name."""
        ids = docker("ps", "-aq", "--filter", f"name=^/{self.name}-").split()
        if not ids:
            return {}
        found = json.loads(docker("inspect", *ids))
        return {c["Name"].lstrip("/"): c for c in found}

    def container(self, role: str) -> dict[str, Any]:
        """The inspected ``<name>-<role>`` container (role: api, postgres)."""
        found = self.containers().get(f"{self.name}-{role}")
        if found is None:
            raise BenchError(
                f"deployment {self.name} has no container {self.name}-{role}"
            )
        return found

    def owner_conninfo(self) -> str:
        secrets = self.secrets()
        if not self._outputs:
            self._outputs = self.outputs()
        outputs = self._outputs
        database = outputs.get("database_name", "smart_access")
        role = outputs.get("owner_role", "smart_access_owner")
        password = secrets["db_owner_password"]
        return (
            f"host=127.0.0.1 port={self.postgres_port} dbname={database}"
            f" user={role} password={password} sslmode=disable connect_timeout=5"
        )


class EventWatcher:
    """Records the engine's start and health events of some containers, live.

    The daemon keeps only its last 256 events, and health probes of every
    container on the engine fill that quickly, so reading them back after a
    slow deploy may find the moment of interest gone.
    """

    def __init__(self, names: list[str]) -> None:
        command = ["docker", "events", "--format", "{{json .}}"]
        command += ["--filter", "event=start", "--filter", "event=health_status"]
        for name in names:
            command += ["--filter", f"container={name}"]
        self._proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        self.events: list[tuple[float, str, str]] = []

    def stop(self) -> None:
        self._proc.terminate()
        out, _ = self._proc.communicate(timeout=10)
        for line in out.splitlines():
            event = json.loads(line)
            name = event.get("Actor", {}).get("Attributes", {}).get("name", "")
            status = event.get("status") or event.get("Action", "")
            self.events.append((event["timeNano"] / 1e9, name, status))

    def start_to_healthy(self, name: str) -> float | None:
        """Seconds from the container's last start to its first healthy after it."""
        started = None
        for moment, who, status in sorted(self.events):
            if who != name:
                continue
            if status == "start":
                started = moment
            elif status.startswith("health_status: healthy") and started is not None:
                return round(moment - started, 3)
        return None


def sweep(name: str) -> list[str]:
    """Remove every container, network, volume and image named ``name-*``.

    The last resort after a destroy that failed or never ran; returns what it
    found, so a caller can tell that the destroy left something behind.
    """
    found = []
    for kind, listing, removal in (
        ("container", ["ps", "-a", "--format", "{{.Names}}"], ["rm", "-f", "-v"]),
        ("network", ["network", "ls", "--format", "{{.Name}}"], ["network", "rm"]),
        ("volume", ["volume", "ls", "--format", "{{.Name}}"], ["volume", "rm", "-f"]),
        ("image", ["images", "--format", "{{.Repository}}:{{.Tag}}"], ["rmi", "-f"]),
    ):
        for item in docker(*listing, check=False).split():
            if item.startswith(f"{name}-"):
                found.append(f"{kind} {item}")
                docker(*removal, item, check=False)
    return found


def snapshot(dest: Path) -> Path:
    """A copy of the tree as a commit of it would be, node_modules linked."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for relative in filter(None, listing.split("\0")):
        source = REPO / relative
        if source.is_file():
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (dest / "node_modules").symlink_to(REPO / "node_modules")
    return dest
