"""A redeploy with nothing changed is a no-op."""

from __future__ import annotations

import harness
from harness import Deployment

# A volume has no id; its creation time changes when it is recreated.
IDENTITY = {
    "container": "{{.Id}}",
    "network": "{{.Id}}",
    "volume": "{{.CreatedAt}}",
    "image": "{{.Id}}",
}


def _identity(deployment: Deployment) -> dict[str, str]:
    """What identifies each Docker object the deployment owns, by kind and name."""
    ids = {}
    for kind, names in harness.leftovers(deployment.name).items():
        for name in names:
            ids[f"{kind} {name}"] = harness.docker(
                kind, "inspect", "--format", IDENTITY[kind], name
            )
    return ids


def test_plan_after_a_deploy_is_empty(deployment: Deployment) -> None:
    result = deployment.plan()

    assert result.returncode == 0, (
        f"plan after a deploy should find nothing to do (exit 0); {result.describe()}"
    )


def test_redeploy_without_changes_replaces_nothing(deployment: Deployment) -> None:
    before = _identity(deployment)

    deployment.deploy()

    after = _identity(deployment)
    assert f"container {deployment.name}-api" in before, before
    assert after == before, "a no-change redeploy replaced or rebuilt something"
