"""The API reads exactly the variables of contract/api-environment.json."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from app.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = json.loads((ROOT / "contract" / "api-environment.json").read_text())
VARIABLES: dict[str, dict] = CONTRACT["variables"]

SAMPLE_VALUES = {
    "integer": "2048",
    "number": "0.5",
    "port": "6000",
    "string": "value",
    "secret": "a-secret-long-enough-for-any-rule-0123",
    "bind": "127.0.0.1:6000",
}


class RecordingEnviron(Mapping[str, str]):
    """An environment that remembers every name looked up in it."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("config must look variables up by name, not scan")

    def __len__(self) -> int:
        return len(self.values)

    def get(self, name, default=None):
        self.read.add(name)
        return self.values.get(name, default)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.read.add(name)
        return name in self.values


def sample(name: str, spec: dict) -> str:
    if spec["type"] == "enum":
        return "local" if name == "APP_ENV" else spec["values"][0]
    return SAMPLE_VALUES[spec["type"]]


def test_config_reads_exactly_the_contract_variables():
    environ = RecordingEnviron(
        {"DB_HOST": "db", "DB_NAME": "n", "DB_USER": "u", "DB_PASSWORD": "p"}
        | {"PIN_HASH_KEY": "k" * 32, "UNRELATED": "ignored"}
    )

    load_settings(environ)

    assert environ.read == set(VARIABLES)


def test_settings_has_one_field_per_contract_variable():
    fields = [field.name for field in dataclasses.fields(Settings)]

    assert fields == [name.lower() for name in VARIABLES]


def test_every_contract_variable_accepts_a_value_of_its_type():
    environ = {name: sample(name, spec) for name, spec in VARIABLES.items()}

    settings = load_settings(environ)

    for name, spec in VARIABLES.items():
        value = getattr(settings, name.lower())
        if spec["type"] in ("integer", "port"):
            assert value == int(environ[name]), name
        elif spec["type"] == "number":
            assert value == float(environ[name]), name
        else:
            assert value == environ[name], name


@pytest.mark.parametrize(
    "name", [name for name, spec in VARIABLES.items() if spec["default"] is not None]
)
def test_every_contract_default_is_itself_valid(name):
    required = {"DB_HOST": "db", "DB_NAME": "n", "DB_USER": "u", "DB_PASSWORD": "p"}
    environ = required | {"PIN_HASH_KEY": "k" * 32}

    explicit = load_settings(environ | {name: str(VARIABLES[name]["default"])})
    implicit = load_settings(environ)

    assert getattr(explicit, name.lower()) == getattr(implicit, name.lower())


def test_only_the_config_module_reads_the_environment():
    pattern = re.compile(r"os\.environ\b|os\.getenv\b|getenv\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "app").rglob("*.py"))
        if path != ROOT / "app" / "config.py"
        and pattern.search(path.read_text(encoding="utf-8"))
    ]

    assert offenders == []
