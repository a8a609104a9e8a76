"""Gunicorn's settings for the API: ``gunicorn -c python:app.gunicorn_conf``.

Gunicorn reads this module's globals. They all come from ``server_settings()``,
a pure function of the environment and the CPU count, so tests can table
environment -> settings without starting a server. An invalid environment
stops the master here, with one line on stderr, before any worker exists.

``python -m app.gunicorn_conf`` runs the same checks without starting a server:
it prints a one-line summary and exits 0, or prints the problem and exits 2.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from app import logging_setup
from app.config import Settings, settings_or_exit, usable_cpu_count


def worker_count(settings: Settings, cores: int) -> int:
    """WEB_CONCURRENCY if set, else max(floor(WORKERS_PER_CORE x cores) + 1, 2)
    capped by MAX_WORKERS."""
    if settings.web_concurrency is not None:
        return settings.web_concurrency
    workers = max(math.floor(settings.workers_per_core * cores) + 1, 2)
    if settings.max_workers is not None:
        workers = min(workers, settings.max_workers)
    return workers


def server_settings(settings: Settings, cores: int) -> dict[str, Any]:
    """The Gunicorn settings, by Gunicorn's own names."""
    return {
        "bind": [settings.bind_address()],
        "workers": worker_count(settings, cores),
        # Threads keep a slow request from starving health checks; gthread
        # also holds idle keep-alive connections without blocking a worker.
        # THREADS=1 asks for the original deployment's sync workers.
        "worker_class": "sync" if settings.threads == 1 else "gthread",
        "threads": settings.threads,
        "timeout": settings.timeout,
        "graceful_timeout": settings.graceful_timeout,
        "keepalive": settings.keep_alive,
        "loglevel": settings.log_level,
        # The heartbeat file lives in memory: a disk-backed /tmp can stall
        # the heartbeat long enough to get healthy workers killed.
        "worker_tmp_dir": "/dev/shm",
        "accesslog": "-",
        "errorlog": "-",
        "logconfig_dict": logging_setup.logconfig_dict(settings.log_level),
        # The control socket would be written under $HOME, which is read-only
        # in the container, and nothing here manages workers at run time.
        "control_socket_disable": True,
    }


def startup_summary(
    settings: Settings, resolved: Mapping[str, Any], cores: int
) -> dict[str, Any]:
    """What the master logs once at start; secrets are masked."""
    workers = resolved["workers"]
    return {
        "bind": resolved["bind"][0],
        "workers": workers,
        "threads": resolved["threads"],
        "usable_cpus": cores,
        "database_connections": workers * settings.threads,
        "environment": settings.redacted(),
    }


def on_starting(server: Any) -> None:
    """Gunicorn hook, run once in the master before any worker starts."""
    server.log.info("resolved configuration", extra={"config": _summary})


# Limit: Gunicorn parses WEB_CONCURRENCY on import, before this module runs, so a
# non-integer fails there; entrypoint.sh runs `python -m app.gunicorn_conf` first.
_settings = settings_or_exit()
_cores = usable_cpu_count()
_resolved = server_settings(_settings, _cores)
_summary = startup_summary(_settings, _resolved, _cores)

bind = _resolved["bind"]
workers = _resolved["workers"]
worker_class = _resolved["worker_class"]
threads = _resolved["threads"]
timeout = _resolved["timeout"]
graceful_timeout = _resolved["graceful_timeout"]
keepalive = _resolved["keepalive"]
loglevel = _resolved["loglevel"]
worker_tmp_dir = _resolved["worker_tmp_dir"]
accesslog = _resolved["accesslog"]
errorlog = _resolved["errorlog"]
logconfig_dict = _resolved["logconfig_dict"]
control_socket_disable = _resolved["control_socket_disable"]


def describe(summary: Mapping[str, Any]) -> str:
    """A one-line account of the resolved settings, for the entrypoint's log."""
    environment = summary["environment"]
    return (
        f"APP_ENV={environment['APP_ENV']}, bind {summary['bind']}, "
        f"{summary['workers']} workers x {summary['threads']} threads on "
        f"{summary['usable_cpus']} usable CPUs, database "
        f"{environment['DB_USER']}@{environment['DB_HOST']}:"
        f"{environment['DB_PORT']}/{environment['DB_NAME']}"
    )


if __name__ == "__main__":
    print(describe(_summary))
