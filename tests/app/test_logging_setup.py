"""app.logging_setup: one JSON object per line, only the chosen fields."""

from __future__ import annotations

import json
import logging

from app.logging_setup import JsonFormatter, logconfig_dict

ATOMS = {
    "m": "POST",
    "U": "/v1/decisions",
    "q": "",
    "s": "201",
    "D": 1534,
    "B": 88,
    "h": "10.0.0.7",
    "a": "reader/1.0",
    "{authorization}i": "Bearer secret-token",
}


def record(name: str, message: str, args=(), **extra) -> logging.LogRecord:
    made = logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def formatted(made: logging.LogRecord) -> dict:
    line = JsonFormatter().format(made)
    assert "\n" not in line
    return json.loads(line)


def test_an_access_record_becomes_request_fields_without_headers():
    made = record("gunicorn.access", "%(h)s %(r)s", (ATOMS,))

    entry = formatted(made)

    assert entry["method"] == "POST"
    assert entry["path"] == "/v1/decisions"
    assert entry["status"] == 201
    assert entry["duration_ms"] == 1.534
    assert (entry["bytes"], entry["remote"]) == (88, "10.0.0.7")
    assert entry["message"] == "POST /v1/decisions 201"
    assert "query" not in entry
    assert "secret-token" not in json.dumps(entry)


def test_an_ordinary_record_keeps_its_message_and_extra_fields():
    made = record("app.decisions", "door %s:\nlocked", ("7",), door_id=7)

    entry = formatted(made)

    assert entry["message"] == "door 7:\nlocked"
    assert entry["door_id"] == 7
    assert entry["level"] == "info"
    assert entry["logger"] == "app.decisions"
    assert entry["time"].endswith("Z")


def test_an_exception_is_kept_in_one_field():
    try:
        raise ValueError("boom")
    except ValueError:
        made = logging.LogRecord(
            "app",
            logging.ERROR,
            __file__,
            1,
            "failed",
            (),
            __import__("sys").exc_info(),
        )

    entry = formatted(made)

    assert entry["level"] == "error"
    assert "ValueError: boom" in entry["exception"]


def test_values_json_cannot_encode_are_written_as_text():
    entry = formatted(record("app", "x", when={1, 2}.__class__))

    assert entry["when"] == "<class 'set'>"


def test_the_access_log_goes_to_stdout_and_the_rest_to_stderr():
    config = logconfig_dict("warning")

    assert config["loggers"]["gunicorn.access"]["handlers"] == ["stdout"]
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["stderr"]
    assert config["root"] == {"level": "WARNING", "handlers": ["stderr"]}
    assert config["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert config["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
