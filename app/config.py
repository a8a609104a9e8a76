"""The API's settings, read once from the environment and validated up front.

The variables, their types and their defaults are not written here: they come
from ``contract/api-environment.json``, which the deployment stacks read too,
so the two sides cannot drift apart. This module adds only the rules that span
more than one variable or that the contract states in prose.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

CONTRACT_PATH = (
    Path(__file__).resolve().parents[1] / "contract" / "api-environment.json"
)
CGROUP_ROOT = Path("/sys/fs/cgroup")

PIN_HASH_KEY_MIN_LENGTH = 32
REDACTED = "***"

# Bounded so that int() never meets a string too long to convert.
_WHOLE = re.compile(r"[0-9]{1,18}")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
_HOST = re.compile(r"\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+")
_SHOWN_VALUE_LENGTH = 60


class ConfigError(Exception):
    """The environment holds values the API cannot start with.

    ``problems`` has one entry per variable at fault, each naming the
    variable, the value received and what is accepted; ``str()`` joins them
    into a single line so it can be printed as one log line.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return "; ".join(self.problems)


@dataclass(frozen=True)
class Settings:
    """One field per contract variable, named after it in lower case."""

    app_env: str
    api_host: str
    api_port: int
    bind: str | None
    web_concurrency: int | None
    workers_per_core: float
    max_workers: int | None
    threads: int
    timeout: int
    graceful_timeout: int
    keep_alive: int
    log_level: str
    db_host: str
    db_port: int
    db_name: str
    db_user: str
    db_password: str = dataclasses.field(repr=False)
    db_sslmode: str
    pin_hash_key: str = dataclasses.field(repr=False)
    bootstrap_admin_token: str | None = dataclasses.field(repr=False)
    max_request_bytes: int

    def bind_address(self) -> str:
        """The HOST:PORT Gunicorn listens on: BIND, else API_HOST:API_PORT."""
        if self.bind is not None:
            return self.bind
        host = self.api_host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{host}:{self.api_port}"

    def database_url(self) -> URL:
        """The SQLAlchemy URL for psycopg 3; its repr and str hide the password."""
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.db_user,
            password=self.db_password,
            host=self.db_host,
            port=self.db_port,
            database=self.db_name,
            query={"sslmode": self.db_sslmode},
        )

    def redacted(self) -> dict[str, Any]:
        """Every variable by its contract name, with secrets masked; safe to log."""
        contract = load_contract()
        shown: dict[str, Any] = {}
        for name, spec in contract.items():
            value = getattr(self, name.lower())
            if spec["type"] == "secret" and value is not None:
                value = REDACTED
            shown[name] = value
        return shown


def load_contract(path: Path = CONTRACT_PATH) -> dict[str, dict[str, Any]]:
    """The contract's variables, by name, in the order the contract lists them."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)["variables"]


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read and validate every contract variable from ``environ``.

    An empty value counts as unset, since deployment tools often render an
    optional variable as ``NAME=``. Raises ``ConfigError`` listing every
    problem at once rather than stopping at the first.
    """
    contract = load_contract()
    problems: list[str] = []
    values: dict[str, Any] = {}

    for name, spec in contract.items():
        raw = environ.get(name, "")
        if raw == "":
            if spec.get("required"):
                problems.append(
                    f"{name}: got nothing; expected {accepted_text(spec)} (required)"
                )
            values[name] = _default(spec)
            continue
        value, accepted = _parse(spec, raw)
        if accepted is not None:
            problems.append(f"{name}: got {_show(spec, raw)}; expected {accepted}")
        values[name] = value

    problems.extend(_cross_checks(contract, values))
    if problems:
        raise ConfigError(problems)
    return Settings(**{name.lower(): value for name, value in values.items()})


def settings_or_exit(
    environ: Mapping[str, str] = os.environ, status: int = 2
) -> Settings:
    """``load_settings()`` for a process entry point: on bad input, print one
    line on stderr and exit with ``status`` instead of raising."""
    try:
        return load_settings(environ)
    except ConfigError as error:
        print(f"invalid configuration: {error}", file=sys.stderr, flush=True)
        raise SystemExit(status) from None


def _cross_checks(
    contract: dict[str, dict[str, Any]], values: dict[str, Any]
) -> list[str]:
    problems = []

    key = values.get("PIN_HASH_KEY")
    if key is not None and len(key) < PIN_HASH_KEY_MIN_LENGTH:
        problems.append(
            f"PIN_HASH_KEY: got {_show(contract['PIN_HASH_KEY'], key)}; expected "
            f"at least {PIN_HASH_KEY_MIN_LENGTH} characters"
        )

    token = values.get("BOOTSTRAP_ADMIN_TOKEN")
    app_env = values.get("APP_ENV")
    if token is not None and app_env not in (None, "local"):
        problems.append(
            f"BOOTSTRAP_ADMIN_TOKEN: got "
            f"{_show(contract['BOOTSTRAP_ADMIN_TOKEN'], token)}; expected it unset "
            f"unless APP_ENV=local (APP_ENV is {app_env!r}); create the first "
            "admin token with `python -m app.cli create-admin-token` instead"
        )

    return problems


def _parse(spec: dict[str, Any], raw: str) -> tuple[Any, str | None]:
    """Return (value, None) when ``raw`` is acceptable, else (None, accepted)."""
    kind = spec["type"]

    if kind == "integer":
        minimum = spec.get("min", 0)
        if _WHOLE.fullmatch(raw) and int(raw) >= minimum:
            return int(raw), None
    elif kind == "number":
        if _DECIMAL.fullmatch(raw) and float(raw) > 0:
            return float(raw), None
    elif kind == "port":
        if _is_port(raw):
            return int(raw), None
    elif kind == "enum":
        if raw in spec["values"]:
            return raw, None
    elif kind == "string":
        if raw.strip() == raw:
            return raw, None
    elif kind == "secret":
        return raw, None
    elif kind == "bind":
        host, _, port = raw.rpartition(":")
        if _HOST.fullmatch(host) and _is_port(port):
            return raw, None
    else:
        raise ValueError(f"contract type {kind!r} is not known to app.config")

    return None, accepted_text(spec)


def accepted_text(spec: dict[str, Any]) -> str:
    """What a variable of this contract type accepts, as error messages say it."""
    kind = spec["type"]
    if kind == "integer":
        return f"a whole number >= {spec.get('min', 0)}"
    if kind == "number":
        return "a number > 0, decimals allowed (e.g. 0.5)"
    if kind == "port":
        return "a port number from 1 to 65535"
    if kind == "enum":
        return "one of " + ", ".join(spec["values"])
    if kind == "bind":
        return "HOST:PORT, e.g. 0.0.0.0:5000 or [::]:5000, with a port from 1 to 65535"
    if kind == "secret":
        return "a non-empty value"
    return "a non-empty value without leading or trailing spaces"


def _default(spec: dict[str, Any]) -> Any:
    default = spec.get("default")
    if default is not None and spec["type"] == "number":
        return float(default)
    return default


def _is_port(raw: str) -> bool:
    return bool(_WHOLE.fullmatch(raw)) and 1 <= int(raw) <= 65535


def _show(spec: dict[str, Any], raw: str) -> str:
    """Quote a received value for a message, never echoing a secret."""
    if spec["type"] == "secret":
        return f"'<hidden, {len(raw)} characters>'"
    if len(raw) > _SHOWN_VALUE_LENGTH:
        raw = raw[:_SHOWN_VALUE_LENGTH] + "..."
    # repr() keeps control characters escaped, so the message stays one line.
    return repr(raw)


def usable_cpu_count(cgroup_root: Path = CGROUP_ROOT) -> int:
    """The CPUs this process may use: its affinity, bounded by a cgroup quota.

    ``os.cpu_count()`` counts the host's CPUs, which starts a worker per host
    CPU inside a container that is allowed only one.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1

    quota = cgroup_cpu_limit(cgroup_root)
    if quota is not None:
        cpus = min(cpus, quota)
    return max(cpus, 1)


def cgroup_cpu_limit(cgroup_root: Path = CGROUP_ROOT) -> int | None:
    """Whole CPUs allowed by the cgroup CPU quota, rounded up; None if unlimited.

    Reads cgroup v2's ``cpu.max`` or v1's ``cpu.cfs_quota_us`` and
    ``cpu.cfs_period_us``.
    """
    # Limit: only the cgroup mounted at cgroup_root is read, which is the
    # container's own under Docker; a process in a nested cgroup is not traced.
    v2 = cgroup_root / "cpu.max"
    if v2.is_file():
        fields = _read(v2).split()
        if len(fields) == 2 and fields[0] != "max":
            return _quota_cpus(fields[0], fields[1])
        return None

    for controller in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        quota_file = cgroup_root / controller / "cpu.cfs_quota_us"
        period_file = cgroup_root / controller / "cpu.cfs_period_us"
        if quota_file.is_file() and period_file.is_file():
            return _quota_cpus(_read(quota_file), _read(period_file))
    return None


def _quota_cpus(quota: str, period: str) -> int | None:
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:
        return None
    if quota_us <= 0 or period_us <= 0:
        return None
    return max(math.ceil(quota_us / period_us), 1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
