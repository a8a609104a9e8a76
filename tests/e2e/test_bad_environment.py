"""A bad value in the API's environment makes the deploy fail, saying why."""

from __future__ import annotations

import harness


def test_a_bad_workers_per_core_fails_synth_with_one_line_naming_it(
    new_deployment,
) -> None:
    deployment = new_deployment("env", api={"workersPerCore": "abc"})

    result = deployment.deploy(check=False)

    assert result.returncode != 0, "the deploy accepted WORKERS_PER_CORE=abc"
    lines = [line for line in result.output.splitlines() if "'abc'" in line]
    assert len(lines) == 1, f"expected one line naming 'abc'; {result.describe()}"
    assert "workersPerCore" in lines[0] and "expected" in lines[0], lines[0]
    assert "Traceback" not in result.output and "    at " not in result.output
    assert harness.leftovers(deployment.name) == {}, (
        "synth failed, yet something was created"
    )
