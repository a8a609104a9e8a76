"""JSON-lines logging for Gunicorn, the API and its commands.

Every record becomes one JSON object on one line: the access log on stdout,
everything else on stderr. Only the fields chosen here are written, so request
headers (and the bearer tokens in them) never reach the logs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from collections.abc import Mapping
from typing import Any

ACCESS_LOGGER = "gunicorn.access"

# Attributes every LogRecord carries; anything else was passed with `extra=`.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None))
) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line, including fields passed via `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
        }

        if record.name == ACCESS_LOGGER and isinstance(record.args, Mapping):
            entry.update(access_fields(record.args))
            entry["message"] = f"{entry['method']} {entry['path']} {entry['status']}"
        else:
            entry["message"] = record.getMessage()

        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)

        return json.dumps(entry, default=str, separators=(",", ":"))


def access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """The access-log fields, picked from Gunicorn's request atoms."""
    status = str(atoms.get("s", ""))
    fields: dict[str, Any] = {
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "status": int(status) if status.isdigit() else status,
        "duration_ms": round(int(atoms.get("D") or 0) / 1000, 3),
        "bytes": atoms.get("B"),
        "remote": atoms.get("h"),
        "user_agent": atoms.get("a"),
    }
    if atoms.get("q"):
        fields["query"] = atoms["q"]
    return fields


def logconfig_dict(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` mapping; Gunicorn takes it as-is."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {
                "level": level,
                "handlers": ["stderr"],
                "propagate": False,
            },
            ACCESS_LOGGER: {
                "level": "INFO",
                "handlers": ["stdout"],
                "propagate": False,
            },
        },
    }


def configure(level: str) -> None:
    """Route this process's logs through the JSON formatter (for commands)."""
    logging.config.dictConfig(logconfig_dict(level))


def _timestamp(created: float) -> str:
    moment = dt.datetime.fromtimestamp(created, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
