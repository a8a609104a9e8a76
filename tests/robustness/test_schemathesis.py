"""schemathesis against /openapi.json: every phase, positive and negative data,
with an admin token; no 5xx and every response as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPORT

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
BUDGET_S = 150


def test_schemathesis_finds_no_server_error_and_no_undocumented_response(
    stack, tmp_path
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
        f"Authorization: Bearer {stack.admin_token}",
        "--max-examples",
        "15",
        "--max-time",
        str(BUDGET_S - 30),
        "--request-timeout",
        "10",
        "--seed",
        "20261203",
        "--workers",
        "2",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]

    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=BUDGET_S,
        stdin=subprocess.DEVNULL,
    )

    output = (done.stdout + done.stderr).replace(stack.admin_token, "<admin token>")
    summary = [
        line for line in output.splitlines() if "passed" in line or "failed" in line
    ]
    REPORT["schemathesis"] = {"exit": done.returncode, "summary": summary[-3:]}
    assert done.returncode == 0, "\n".join(output.splitlines()[-80:])
