"""A bad value in the API's environment makes the deploy fail, saying why."""

from __future__ import annotations

import json

import harness


def test_a_bad_workers_per_core_fails_synth_with_one_line_naming_it(
    new_deployment,
) -> None:
    deployment = new_deployment("env", api={"workersPerCore": "abc"})

    result = deployment.deploy(check=False)

    assert result.returncode != 0, "the deploy accepted WORKERS_PER_CORE=abc"
    lines = {line.strip() for line in result.output.splitlines() if "'abc'" in line}
    assert len(lines) == 1, f"expected one line naming 'abc'; {result.describe()}"
    line = lines.pop()
    assert "workersPerCore" in line and "expected" in line, line
    assert "Traceback" not in result.output and "    at " not in result.output
    assert harness.leftovers(deployment.name) == {}, (
        "synth failed, yet something was created"
    )
    # Nothing exists, and destroy would stop at the same bad value.
    deployment.destroyed = True


def test_a_pin_hash_key_the_api_rejects_stops_the_deploy_with_its_one_line(
    new_deployment,
) -> None:
    # Secrets are deploy-time values synth cannot see; the API's own check is
    # the first to meet them, in the migration job that runs the API image.
    deployment = new_deployment("key")
    deployment.workdir.mkdir(parents=True)
    short_key = "e2e-too-short"
    (deployment.workdir / "secrets.json").write_text(
        json.dumps({"pin_hash_key": short_key})
    )

    result = deployment.deploy(check=False)
    containers = deployment.containers()

    assert result.returncode != 0, "the deploy accepted a 13-character PIN_HASH_KEY"
    assert "migrate" in containers, f"no migration job ran: {containers}"
    job = harness.docker_inspect(containers["migrate"])
    logs = harness.run(["docker", "logs", containers["migrate"]]).output
    problem = [line for line in logs.splitlines() if "PIN_HASH_KEY" in line]
    assert job["State"]["ExitCode"] != 0
    assert len(problem) == 1 and "at least 32 characters" in problem[0], logs
    assert "Traceback" not in logs, logs
    assert problem[0].strip() in result.output, (
        f"the deploy output does not show the job's line; {result.describe()}"
    )
    assert short_key not in result.output + logs, "the secret was printed"
    assert "api" not in containers, f"the API started anyway: {containers}"

    destroyed, left = deployment.teardown()
    assert destroyed is not None and destroyed.returncode == 0, destroyed.describe()
    assert left == {}
