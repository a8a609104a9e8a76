"""Drive the API with wrk and read back what it measured.

Every run goes through ``bench/wrk/requests.lua``, which replays a file of
requests and prints one ``WRK_JSON`` line with the percentiles, errors and
status counts; this module turns that line into a :class:`LoadResult`.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.errors import BenchError

SCRIPT = Path(__file__).parent / "wrk" / "requests.lua"
MARKER = "WRK_JSON "


@dataclass(frozen=True)
class Request:
    """One line of a requests file; ``{event_id}`` in ``body`` is replaced."""

    method: str
    path: str
    token: str | None = None
    body: str = ""

    def line(self) -> str:
        for part in (self.method, self.path, self.token or "", self.body):
            if "\t" in part or "\n" in part:
                raise ValueError(f"request field {part!r} holds a tab or newline")
        return "\t".join((self.method, self.path, self.token or "-", self.body))


def write_requests(path: Path, requests: Iterable[Request]) -> int:
    lines = [r.line() for r in requests]
    if not lines:
        raise ValueError(f"no requests to write to {path}")
    path.write_text("\n".join(lines) + "\n")
    # The file carries bearer tokens: keep it to the owner.
    path.chmod(0o600)
    return len(lines)


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured; latencies in milliseconds."""

    connections: int
    duration_s: float
    requests: int
    rps: float
    p50: float
    p75: float
    p90: float
    p95: float
    p99: float
    p999: float
    mean: float
    max: float
    errors: dict[str, int]
    statuses: dict[str, int]
    mean_delay_ms: float = 0.0
    context: dict[str, object] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        """Socket errors, timeouts and answers other than 2xx/3xx."""
        e = self.errors
        return e["connect"] + e["read"] + e["write"] + e["timeout"] + e["status"]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["error_count"] = self.error_count
        return data


def parse_wrk_output(
    text: str, connections: int, mean_delay_ms: float = 0.0
) -> LoadResult:
    """Read the ``WRK_JSON`` line that ``requests.lua`` prints at the end."""
    lines = [line for line in text.splitlines() if line.startswith(MARKER)]
    if not lines:
        tail = " | ".join(text.strip().splitlines()[-3:])
        raise BenchError(
            f"wrk printed no {MARKER.strip()} summary; its output ended: {tail!r}"
        )
    raw = json.loads(lines[-1][len(MARKER) :])

    duration_s = raw["duration_us"] / 1e6
    lat = {k: v / 1000 for k, v in raw["latency_us"].items()}
    return LoadResult(
        connections=connections,
        duration_s=round(duration_s, 3),
        requests=raw["requests"],
        rps=round(raw["requests"] / duration_s, 1) if duration_s else 0.0,
        p50=lat["p50"],
        p75=lat["p75"],
        p90=lat["p90"],
        p95=lat["p95"],
        p99=lat["p99"],
        p999=lat["p999"],
        mean=round(lat["mean"], 3),
        max=lat["max"],
        errors=dict(raw["errors"]),
        statuses={str(k): v for k, v in raw["statuses"].items()},
        mean_delay_ms=mean_delay_ms,
    )


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError(
            "wrk is not on PATH; the bench drives load with it: apt-get install -y wrk"
        )
    return found


def run_wrk(
    base_url: str,
    requests_file: Path,
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
    mean_delay_ms: float = 0.0,
    timeout_s: float = 5.0,
    context: Mapping[str, object] | None = None,
) -> LoadResult:
    """Run wrk once against ``base_url`` replaying ``requests_file``."""
    if not base_url.startswith("http://127.0.0.1:"):
        raise BenchError(f"the bench only loads loopback: got {base_url!r}")
    threads = max(1, min(threads, connections))
    command = [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s:g}s",
        "-s",
        str(SCRIPT),
        base_url,
        "--",
        str(requests_file),
        secrets.token_hex(4),
    ]
    env = {**os.environ, "WRK_MEAN_DELAY_MS": f"{mean_delay_ms:g}"}
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=seconds + 60
    )
    if done.returncode != 0:
        raise BenchError(
            f"wrk exited {done.returncode}: {done.stderr.strip() or done.stdout.strip()}"
        )
    result = parse_wrk_output(done.stdout, connections, mean_delay_ms)
    if context:
        result.context.update(context)
    return result
