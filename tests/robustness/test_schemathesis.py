"""schemathesis against /openapi.json: every phase, positive and negative data;
no 5xx, and every status code, content type and body as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPORT

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
DECISIONS = "POST /v1/decisions"
# The fuzzer would revoke the very admin token it runs with, and every later
# request would get 401; tests/app covers token deletion.
TOKEN_DELETE = "DELETE /v1/tokens/{token_id}"


def schemathesis(
    stack, token: str, filters: list[str], budget_s: int, report_dir: Path
):
    cli = Path(sys.executable).parent / "schemathesis"
    assert cli.exists(), f"schemathesis is not installed next to {sys.executable}"
    command = [
        str(cli),
        "run",
        f"{stack.url}/openapi.json",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--mode",
        "all",
        "--checks",
        CHECKS,
        "--header",
        f"Authorization: Bearer {token}",
        *filters,
        "--max-examples",
        "15",
        "--max-time",
        str(budget_s),
        "--request-timeout",
        "10",
        "--seed",
        "20261203",
        "--workers",
        "2",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=budget_s + 60,
        stdin=subprocess.DEVNULL,
    )
    output = (done.stdout + done.stderr).replace(token, "<token>")
    return done.returncode, output


@pytest.mark.parametrize(
    ("role", "filters", "budget_s"),
    [
        ("admin", ["--exclude-name", DECISIONS, "--exclude-name", TOKEN_DELETE], 90),
        ("reader", ["--include-name", DECISIONS], 30),
    ],
    ids=["admin-operations", "reader-decisions"],
)
def test_schemathesis_finds_no_server_error_and_no_undocumented_response(
    stack, tmp_path, role, filters, budget_s
):
    token = (
        stack.admin_token
        if role == "admin"
        else next(iter(stack.data.reader_tokens.values()))
    )

    code, output = schemathesis(stack, token, filters, budget_s, tmp_path)

    summary = [line.strip() for line in output.splitlines() if " passed" in line]
    REPORT[f"schemathesis {role}"] = {"exit": code, "summary": summary[-1:]}
    assert code == 0, "\n".join(output.splitlines()[-80:])
