"""The deployment every end-to-end test runs against, and its cleanup.

One session-wide deployment of the local stack, made with the CLI a user
runs and a test configuration (unique names, free ports, the images this
machine has, tight wait timeouts). It is destroyed at the end of the session
whatever happens: by a finalizer, by SIGTERM/SIGHUP turned into an
interrupt, and, should the destroy leave anything, by a sweep of every
Docker object whose name carries the deployment's name.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import harness
import httpx
import pytest
from harness import PROGRESS, Deployment
from scenario import Site, build_site

# Destructive cases run last, after the ones that need a pristine deployment;
# the explicit destroy closes the session.
MODULE_ORDER = [
    "test_health",
    "test_decision_flow",
    "test_container",
    "test_database_role",
    "test_redeploy",
    "test_bad_environment",
    "test_failed_migration",
    "test_source_change",
    "test_database_restart",
    "test_api_stop",
    "test_destroy",
]

_live: list[Deployment] = []


# trylast: the terminal reporter registers itself in its own pytest_configure.
@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        # Progress goes to the terminal as it happens, not to the test's
        # captured output, which is shown only after a failure.
        def write(line: str) -> None:
            with capture.global_and_fixture_disabled():
                reporter.ensure_newline()
                reporter.write_line(f"e2e: {line}")

        PROGRESS.write = write

    # pytest turns SIGINT into KeyboardInterrupt and still runs finalizers;
    # SIGTERM and SIGHUP would otherwise end the process with nothing undone.
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    atexit.register(_sweep_survivors)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def position(item: pytest.Item) -> int:
        module = Path(str(item.fspath)).stem
        return MODULE_ORDER.index(module) if module in MODULE_ORDER else -1

    # sort is stable: tests keep their order inside a module.
    items.sort(key=position)


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if not PROGRESS.steps:
        return
    terminalreporter.section("e2e steps")
    for step in PROGRESS.steps:
        terminalreporter.write_line(
            f"{step.seconds:7.1f}s  {step.outcome:7}  {step.what}"
        )
    total = sum(step.seconds for step in PROGRESS.steps)
    terminalreporter.write_line(f"{total:7.1f}s  total time in steps")


def _sweep_survivors() -> None:
    for deployment in _live:
        if not deployment.destroyed:
            harness.sweep(deployment.name)
    harness.sweep(harness.RUN)


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="session")
def images() -> dict[str, str]:
    """Start the engine and name the base images, as `npm run deploy` does."""
    with PROGRESS.step("docker engine"):
        harness.run(["bash", "scripts/ensure-docker.sh"], log_name="ensure-docker")
    with PROGRESS.step("base images"):
        result = harness.run(
            ["bash", "scripts/images.sh"],
            timeout=harness.DEPLOY_TIMEOUT,
            log_name="images",
        )
    last = result.stdout.strip().splitlines()[-1]
    names = json.loads(last)
    assert set(names) >= {"postgres", "pythonBase"}, (
        f"scripts/images.sh: last stdout line {last!r} does not name both "
        "'postgres' and 'pythonBase'"
    )
    return names


@pytest.fixture(scope="session")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot every deployment is made from: the working tree, or the
    last commit with SMART_ACCESS_E2E_SOURCE=head."""
    source = os.environ.get("SMART_ACCESS_E2E_SOURCE", "worktree")
    assert source in ("worktree", "head"), (
        f"SMART_ACCESS_E2E_SOURCE: got {source!r}; expected 'worktree' or 'head'"
    )
    with PROGRESS.step(f"snapshot the tree ({source})"):
        return harness.snapshot_tree(tmp_path_factory.mktemp("tree"), source)


@pytest.fixture(scope="session")
def new_deployment(
    images: dict[str, str], tree: Path, tmp_path_factory: pytest.TempPathFactory
):
    """A factory: a Deployment with a fresh name and config, not yet deployed.

    Every deployment it makes is torn down at the end of the session, and
    once more by the exit sweep should the process be stopped.
    """
    made: list[Deployment] = []

    def make(word: str = "main", **overrides: object) -> Deployment:
        name = harness.unique_name(word)
        folder = tmp_path_factory.mktemp(name)
        config = harness.make_config(name, images, **overrides)
        deployment = Deployment(name, config, folder / "config.json", tree)
        deployment.write_config()
        made.append(deployment)
        _live.append(deployment)
        return deployment

    yield make

    problems = []
    for deployment in made:
        result, left = deployment.teardown()
        if result is not None and result.returncode != 0:
            problems.append(f"destroy of {deployment.name} failed: {result.describe()}")
        if left:
            problems.append(f"left behind by {deployment.name}: {left}")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def deployment(new_deployment) -> Deployment:
    """The main deployment, up and healthy."""
    deployment = new_deployment()
    deployment.deploy()
    return deployment


@pytest.fixture(scope="session")
def outputs(deployment: Deployment) -> dict[str, object]:
    return deployment.outputs()


@pytest.fixture(scope="session")
def api_url(outputs: dict[str, object]) -> str:
    url = str(outputs["api_url"])
    assert url.startswith("http://127.0.0.1:"), (
        f"api_url output: got {url!r}; expected the loopback address the test "
        "configuration publishes"
    )
    return url


@pytest.fixture(scope="session")
def admin_token(deployment: Deployment) -> str:
    return deployment.secrets()["bootstrap_admin_token"]


@pytest.fixture(scope="session")
def admin(api_url: str, admin_token: str) -> Iterator[httpx.Client]:
    """An HTTP client on the published port, authenticated as the admin."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def site(admin: httpx.Client) -> Site:
    """A site with doors, readers, people and cards, built through the API."""
    with PROGRESS.step("build a site through the admin API"):
        return build_site(admin)
