"""Destroy leaves nothing of the deployment on the engine.

Runs last. Base images stay cached; everything named after the deployment
(containers, network, volume, the API image) must be gone.
"""

from __future__ import annotations

import harness
from harness import Deployment


def test_destroy_leaves_nothing_behind(deployment: Deployment) -> None:
    assert harness.leftovers(deployment.name), "nothing to destroy: was it deployed?"

    result = deployment.destroy()

    assert result.returncode == 0, result.describe()
    assert harness.leftovers(deployment.name) == {}
