"""The Python stand-in gives a base image what the API's Dockerfile needs:
python and python3 on PATH, venv with pip, and TLS that trusts the host CA."""

import pytest
from standin import docker


def run(image: str, *command: str, user: str | None = None, timeout: float = 180):
    user_args = [f"--user={user}"] if user else []
    return docker(
        "run", "--rm", *user_args, image, *command, check=False, timeout=timeout
    )


@pytest.mark.parametrize("command", ["python", "python3"])
def test_interpreter_on_path_is_python_3_11(python_image, command):
    result = run(python_image, command, "-c", "import sys; print(sys.version_info[:2])")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(3, 11)"


def test_venv_installs_a_package_from_the_index_over_tls(python_image):
    # A non-root user, as the API image runs; the package needs the network,
    # so this also proves the image trusts the CA the machine's TLS uses.
    script = (
        "set -e; python -m venv /tmp/venv; "
        "/tmp/venv/bin/pip install --quiet --no-cache-dir six==1.17.0; "
        "/tmp/venv/bin/python -c 'import six; print(six.__version__)'"
    )
    result = run(python_image, "sh", "-c", script, user="10001:10001")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1.17.0"


def test_standard_library_tls_verifies_against_the_bundled_ca(python_image):
    result = run(
        python_image,
        "python",
        "-c",
        "import ssl; c = ssl.create_default_context(); print(len(c.get_ca_certs()) > 0)",
    )

    assert result.stdout.strip() == "True", result.stderr
