"""Drive a real deployment of the local stack, and clean up after it.

Everything here goes through the CLI a user runs (``scripts/deploy.ts``) and
the Docker CLI; the tests differ from a user's deploy only in the values of
their configuration file.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = REPO_ROOT / ".cache" / "e2e"

# A deploy builds the API image; cold, that installs every dependency.
DEPLOY_TIMEOUT = 900
COMMAND_TIMEOUT = 300
DOCKER_TIMEOUT = 60


@dataclass
class Step:
    what: str
    seconds: float = 0.0
    # "done", "exit N" for a command that exited non-zero, or "failed".
    outcome: str = "done"


@dataclass
class Progress:
    """Timed progress lines, one per step, plus the list for the summary."""

    write: Callable[[str], None] = print
    steps: list[Step] = field(default_factory=list)

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[Step]:
        """Time a step; the caller may set the outcome on what it yields."""
        self.write(f"==> {what}")
        step = Step(what)
        start = time.monotonic()
        try:
            yield step
        except BaseException:
            step.outcome = "failed"
            raise
        finally:
            step.seconds = time.monotonic() - start
            self.steps.append(step)
            self.write(f"{what}: {step.outcome} in {step.seconds:.1f}s")


PROGRESS = Progress()


class CommandFailed(AssertionError):
    """A command the test relies on exited non-zero; carries its output."""


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    log: Path | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output.splitlines()[-lines:])

    def describe(self) -> str:
        where = f" (full log: {self.log.relative_to(REPO_ROOT)})" if self.log else ""
        return (
            f"`{' '.join(self.args)}` exited {self.returncode}{where}; "
            f"its last lines:\n{self.tail()}"
        )


def run(
    args: Sequence[str],
    *,
    cwd: Path = REPO_ROOT,
    env: dict[str, str] | None = None,
    timeout: float = COMMAND_TIMEOUT,
    check: bool = True,
    log_name: str | None = None,
) -> Result:
    """Run a command to completion, keeping stdout and stderr apart."""
    full_env = {**os.environ, "CHECKPOINT_DISABLE": "1", **(env or {})}
    # Its own process group: npx leaves node running when only it is killed,
    # and a deploy that outlives an interrupt creates what destroy never sees.
    proc = subprocess.Popen(
        list(args),
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        result = Result(list(args), proc.returncode, out, err)
    except subprocess.TimeoutExpired:
        out, err = _stop_group(proc)
        result = Result(list(args), -1, out, err + f"\n(stopped after {timeout:.0f}s)")
    except BaseException:
        _stop_group(proc)
        raise
    if log_name:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        result.log = LOG_DIR / f"{log_name}.log"
        result.log.write_text(
            f"$ {' '.join(args)}\n--- stdout\n{result.stdout}"
            f"--- stderr\n{result.stderr}--- exit {result.returncode}\n"
        )
    if check and result.returncode != 0:
        raise CommandFailed(result.describe())
    return result


def _stop_group(proc: subprocess.Popen) -> tuple[str, str]:
    """TERM the command's whole process group, KILL it if it lingers."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            out, err = proc.communicate(timeout=grace)
            return out or "", err or ""
        except subprocess.TimeoutExpired:
            continue
    return "", ""


def docker(*args: str, check: bool = True, timeout: float = DOCKER_TIMEOUT) -> str:
    return run(["docker", *args], check=check, timeout=timeout).stdout.strip()


def docker_inspect(ref: str) -> dict[str, Any]:
    return json.loads(docker("inspect", ref))[0]


def free_port() -> int:
    """A TCP port nothing listens on now; the kernel picks it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# scripts/test-e2e.sh names the run so it can sweep after pytest, whatever
# became of it; every deployment of the run is named RUN-<word>.
RUN = os.environ.get("SMART_ACCESS_E2E_RUN") or f"sa-e2e-{secrets.token_hex(3)}"


def unique_name(word: str = "main") -> str:
    """RUN-main for the main deployment, RUN-<word> for a case's own.

    One word each, so that no deployment's name is a prefix of another's
    resource names (`RUN-mig` would be one of `RUN-migrate`).
    """
    assert word.isalnum(), (
        f"a deployment word: got {word!r}; expected letters and digits"
    )
    return f"{RUN}-{word}"


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def make_config(name: str, images: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """The test configuration: a user's local config with test values.

    One CPU for the API with WORKERS_PER_CORE=1 means two Gunicorn workers,
    where the host's two CPUs would give three: the worker test can tell.
    """
    config = {
        "name": name,
        "ports": {"api": free_port(), "postgres": free_port()},
        "images": {
            "postgres": images["postgres"],
            "apiBase": images["pythonBase"],
            "apiTag": "e2e",
        },
        "limits": {"api": {"cpus": "1", "memory": "512m"}},
        # Generous for a shared, busy machine; the failure cases do not wait
        # on them, since the migration job fails before the API's wait.
        "waitTimeouts": {"postgres": 120, "api": 120},
        "api": {"workersPerCore": 1, "gracefulTimeout": 20, "threads": 4},
    }
    return _merge(config, overrides)


# --- what a deployment leaves on the engine ---------------------------------


def _names(kind: str) -> list[str]:
    if kind == "container":
        listing = docker("ps", "-a", "--format", "{{.Names}}")
    elif kind == "image":
        listing = docker("images", "--format", "{{.Repository}}:{{.Tag}}")
    else:
        listing = docker(kind, "ls", "--format", "{{.Name}}")
    return [line for line in listing.splitlines() if line]


def owned(name: str, prefix: str) -> bool:
    """Whether a Docker object's name belongs to what prefix names.

    A deployment's objects are named `<name>-<what>`; a bare prefix such as
    the run's id also matches every deployment of the run.
    """
    return name == prefix or name.startswith(f"{prefix}-")


def leftovers(prefix: str) -> dict[str, list[str]]:
    """Every container, network, volume and image that prefix names."""
    found = {}
    for kind in ("container", "network", "volume", "image"):
        names = [name for name in _names(kind) if owned(name, prefix)]
        if names:
            found[kind] = names
    return found


def sweep(prefix: str) -> dict[str, list[str]]:
    """Remove whatever prefix names; return what was removed.

    The last resort after a destroy that failed or never ran. Containers go
    first, since they hold the networks, volumes and images.
    """
    found = leftovers(prefix)
    removals = {
        "container": ["rm", "-f", "-v"],
        "network": ["network", "rm"],
        "volume": ["volume", "rm", "-f"],
        "image": ["rmi", "-f"],
    }
    for kind in ("container", "network", "volume", "image"):
        for name in found.get(kind, []):
            docker(*removals[kind], name, check=False)
    return found


# --- a deployment, driven through the user's CLI -----------------------------


@dataclass
class Deployment:
    """One deployment of the local stack under its own name and config file."""

    name: str
    config: dict[str, Any]
    config_path: Path
    repo: Path
    destroyed: bool = False

    def cli(
        self,
        command: str,
        *extra: str,
        check: bool = True,
        timeout: float = DEPLOY_TIMEOUT,
        repo: Path | None = None,
        log_name: str | None = None,
    ) -> Result:
        """Run ``scripts/deploy.ts <command> local --config <file>``."""
        where = repo or self.repo
        args = ["npx", "tsx", "scripts/deploy.ts", command, "local"]
        args += ["--config", str(self.config_path), *extra]
        return run(
            args,
            cwd=where,
            timeout=timeout,
            check=check,
            log_name=log_name or f"{self.name}-{command}",
        )

    def write_config(self) -> None:
        # The file holds one object per stack; the test sets only `local`.
        document = {"local": self.config}
        self.config_path.write_text(json.dumps(document, indent=2) + "\n")

    def _timed(self, command: str, **kw: Any) -> Result:
        with PROGRESS.step(f"{command} {self.name}") as step:
            result = self.cli(command, check=False, **kw)
            if result.returncode != 0:
                step.outcome = f"exit {result.returncode}"
        return result

    def deploy(self, *, check: bool = True, repo: Path | None = None) -> Result:
        result = self._timed("deploy", repo=repo)
        if check and result.returncode != 0:
            raise CommandFailed(result.describe())
        return result

    def plan(self, *, repo: Path | None = None) -> Result:
        """`plan`, whose exit status is the finding: 0 nothing to do, 2 changes."""
        return self._timed("plan", repo=repo)

    def destroy(self) -> Result:
        result = self._timed("destroy", timeout=COMMAND_TIMEOUT)
        self.destroyed = result.returncode == 0
        return result

    def outputs(self) -> dict[str, Any]:
        result = self.cli("outputs", "--json", timeout=COMMAND_TIMEOUT)
        return json.loads(result.stdout)

    @property
    def workdir(self) -> Path:
        return self.repo / ".smart-access" / self.name

    def secrets(self) -> dict[str, str]:
        return json.loads((self.workdir / "secrets.json").read_text())

    def containers(self) -> dict[str, str]:
        """Containers of this deployment: role (name minus prefix) -> name."""
        prefix = f"{self.name}-"
        return {
            name.removeprefix(prefix): name
            for name in _names("container")
            if name.startswith(prefix)
        }

    def container(self, role: str) -> str:
        """The name of this deployment's container for role, which must exist."""
        found = self.containers()
        assert role in found, (
            f"{self.name}: no container for {role!r}; the deployment has {found}"
        )
        return found[role]

    def teardown(self) -> tuple[Result | None, dict[str, list[str]]]:
        """Destroy, sweep what the destroy left, and report both.

        Returns the destroy's result (None when already destroyed) and what
        was still on the engine afterwards, before the sweep removed it.
        """
        result = None if self.destroyed else self.destroy()
        left = sweep(self.name)
        shutil.rmtree(self.workdir, ignore_errors=True)
        return result, left


def snapshot_tree(dest: Path, source: str = "worktree") -> Path:
    """A copy of the tree to deploy from, so edits made while the test runs
    cannot reach a deployment.

    source "worktree" copies tracked and untracked-but-not-ignored files, so
    the snapshot is what a commit of the tree would be; "head" exports the
    last commit. node_modules is linked, not copied.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if source == "head":
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    else:
        listing = run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        ).stdout
        for relative in filter(None, listing.split("\0")):
            path = REPO_ROOT / relative
            if not path.is_file():
                continue  # deleted in the tree but still in the index
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    (dest / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    return dest


def copy_tree(source: Path, dest: Path, *, share_state_of: str | None = None) -> Path:
    """A throwaway copy of a snapshot, to change its sources without harm.

    With share_state_of, the copy's state directory of that deployment is
    the source's, so a deploy from the copy updates the same deployment.
    """
    private = ("node_modules", "cdktf.out", ".smart-access")
    shutil.copytree(source, dest, ignore=lambda _dir, _names: private, symlinks=True)
    (dest / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    if share_state_of:
        (dest / ".smart-access").mkdir()
        (dest / ".smart-access" / share_state_of).symlink_to(
            source / ".smart-access" / share_state_of
        )
    return dest


@dataclass
class Outcome:
    at: float
    status: int | None
    body: Any = None
    error: str | None = None


class Load:
    """Requests in a loop on background threads, every outcome recorded."""

    def __init__(self, send: Callable[[], Any], threads: int = 2, pause: float = 0.02):
        self._send = send
        self._pause = pause
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.outcomes: list[Outcome] = []
        self._threads = [
            threading.Thread(target=self._loop, daemon=True) for _ in range(threads)
        ]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                response = self._send()
                try:
                    body = response.json()
                except ValueError:
                    body = response.text
                outcome = Outcome(time.monotonic(), response.status_code, body)
            except Exception as exc:  # every failure is a finding, kept for the asserts
                outcome = Outcome(time.monotonic(), None, error=repr(exc))
            with self._lock:
                self.outcomes.append(outcome)
            self._stop.wait(self._pause)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def since(self, moment: float) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if o.at >= moment]


def wait_for(
    what: str, check: Callable[[], bool], timeout: float, interval: float = 0.25
) -> float:
    """Poll check until it is true; return the seconds it took, or fail."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        time.sleep(interval)
