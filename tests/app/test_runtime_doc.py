"""docs/runtime.md's variables table is generated from the contract."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from app import config

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "runtime_doc", ROOT / "scripts" / "runtime_doc.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_variables_table_is_current():
    generator = load_generator()
    document = generator.DOC.read_text(encoding="utf-8")

    assert document == generator.render(document), (
        "docs/runtime.md is stale: run .venv/bin/python scripts/runtime_doc.py"
    )


def test_the_table_has_one_row_per_contract_variable():
    table = load_generator().variables_table().splitlines()[2:]

    assert [row.split("|")[1].strip(" `") for row in table] == list(
        config.load_contract()
    )


def test_required_variables_say_so_and_defaults_are_shown():
    rows = {
        row.split("|")[1].strip(" `"): row.split("|")[2].strip()
        for row in load_generator().variables_table().splitlines()[2:]
    }

    assert rows["DB_HOST"] == "required"
    assert rows["API_PORT"] == "`5000`"
    assert rows["BIND"] == "unset"
