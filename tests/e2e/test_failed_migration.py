"""A failing migration stops the rollout before any API container starts.

The deployment is made from a copy of the tree with one more migration, one
that fails, as a bad migration would arrive in a release.
"""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path

import harness

BROKEN = '''"""A migration that fails, for the deployment test."""

from alembic import op

revision = "e2e_broken"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SELECT e2e_no_such_function()")


def downgrade() -> None:
    pass
'''


def _assigned(script: Path) -> dict[str, object]:
    values = {}
    for node in ast.parse(script.read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    with contextlib.suppress(ValueError):
                        values[target.id] = ast.literal_eval(node.value)
    return values


def _head(versions: Path) -> str:
    revisions, parents = set(), set()
    for script in versions.glob("*.py"):
        values = _assigned(script)
        if "revision" in values:
            revisions.add(values["revision"])
        down = values.get("down_revision")
        parents.update(down if isinstance(down, tuple | list) else [down])
    heads = revisions - parents
    assert len(heads) == 1, f"expected one migration head in {versions}, found {heads}"
    return str(heads.pop())


def test_a_failing_migration_stops_the_rollout_before_the_api(
    new_deployment, tree: Path, tmp_path: Path
) -> None:
    broken = harness.copy_tree(tree, tmp_path / "tree")
    versions = broken / "app" / "migrations" / "versions"
    (versions / "9999_e2e_broken.py").write_text(BROKEN.format(head=_head(versions)))
    deployment = new_deployment("mig")
    deployment.repo = broken

    result = deployment.deploy(check=False)
    containers = deployment.containers()

    assert result.returncode != 0, "the deploy succeeded despite a failing migration"
    assert "e2e_no_such_function" in result.output, (
        f"the deploy output does not show the migration's error; {result.describe()}"
    )
    assert "api" not in containers, f"an API container exists: {containers}"
    assert "postgres" in containers, (
        f"the rollout never reached the database: {containers}"
    )

    destroyed, left = deployment.teardown()
    assert destroyed is not None and destroyed.returncode == 0, destroyed.describe()
    assert left == {}
