"""A one-line source change rebuilds the API and leaves the database alone.

The change is made in a throwaway copy of the deployed tree that shares its
deployment state, so the deploy from the copy updates the main deployment.
"""

from __future__ import annotations

from pathlib import Path

import harness
import httpx
from harness import Deployment


def _ids(deployment: Deployment) -> dict[str, str]:
    api = deployment.container("api")
    return {
        "api container": harness.docker_inspect(api)["Id"],
        "api image": harness.docker_inspect(api)["Image"],
        "postgres container": harness.docker_inspect(deployment.container("postgres"))[
            "Id"
        ],
    }


def test_a_source_change_replaces_the_api_and_keeps_the_data(
    deployment: Deployment, admin: httpx.Client, tree: Path, tmp_path: Path
) -> None:
    kept = admin.post(
        "/v1/sites", json={"name": "kept across a rebuild", "timezone": "UTC"}
    )
    assert kept.status_code == 201, kept.text
    before = _ids(deployment)
    changed = harness.copy_tree(tree, tmp_path / "tree", share_state_of=deployment.name)
    source = changed / "app" / "wsgi.py"
    source.write_text(
        source.read_text() + "# a one-line change for the deployment test\n"
    )

    plan = deployment.plan(repo=changed)
    deployment.deploy(repo=changed)
    after = _ids(deployment)

    assert plan.returncode == 2, (
        f"plan should report changes (exit 2); {plan.describe()}"
    )
    assert after["api image"] != before["api image"], "the image was not rebuilt"
    assert after["api container"] != before["api container"], "the API was not replaced"
    assert after["postgres container"] == before["postgres container"]
    again = admin.get(f"/v1/sites/{kept.json()['id']}")
    assert again.status_code == 200, again.text
    assert again.json()["name"] == "kept across a rebuild"
    assert admin.get("/health/ready").status_code == 200
