"""Fixtures for the stand-in image tests: the Docker engine, the images, and
containers and volumes that are removed however a test ends."""

import shutil
from collections.abc import Callable, Iterator

import pytest
from standin import POSTGRES_IMAGE, PYTHON_IMAGE, docker, unique_name


@pytest.fixture(scope="session")
def engine() -> None:
    if shutil.which("docker") is None:
        pytest.fail(
            "prerequisite missing: the docker CLI is not on PATH; run bash scripts/ensure-docker.sh"
        )
    info = docker("info", "--format", "{{.ServerVersion}}", check=False, timeout=30)
    if info.returncode != 0:
        pytest.fail(
            f"prerequisite missing: the Docker engine does not answer ({info.stderr.strip()}); run bash scripts/ensure-docker.sh"
        )


def require_image(image: str) -> str:
    if docker("image", "inspect", image, check=False).returncode != 0:
        pytest.fail(
            f"prerequisite missing: image {image} is not on the engine; build it with bash scripts/images.sh --standins"
        )
    return image


@pytest.fixture(scope="session")
def postgres_image(engine) -> str:
    return require_image(POSTGRES_IMAGE)


@pytest.fixture(scope="session")
def python_image(engine) -> str:
    return require_image(PYTHON_IMAGE)


@pytest.fixture
def volume(engine) -> Iterator[str]:
    name = unique_name("data")
    docker("volume", "create", name)
    yield name
    # Docker keeps a volume that any container still mounts, and this runs
    # before the containers fixture tears down.
    users = docker("ps", "--all", "--quiet", f"--filter=volume={name}").stdout.split()
    if users:
        docker("rm", "--force", *users, check=False)
    docker("volume", "rm", "--force", name, check=False)


@pytest.fixture
def containers(engine) -> Iterator[Callable[..., str]]:
    """A factory: start(image, *args, env=..., role=...) runs a detached
    container and returns its name; every one is removed at teardown."""
    started: list[str] = []

    def start(image: str, *args: str, env: dict | None = None, role="pg") -> str:
        name = unique_name(role)
        started.append(name)
        env_args = [f"--env={key}={value}" for key, value in (env or {}).items()]
        docker("run", "--detach", f"--name={name}", *env_args, *args, image)
        return name

    yield start
    for name in started:
        docker("rm", "--force", "--volumes", name, check=False)
