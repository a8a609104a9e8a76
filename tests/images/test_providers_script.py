"""scripts/providers.sh, run in a copy of the repository against a local
file-based Go module proxy, so that both outcomes are tested without the
network: sources refused (exit 3) and sources available (a mirror)."""

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# upstream module, commit, the module path its go.mod declares
SOURCES = [
    (
        "github.com/kreuzwerker/terraform-provider-docker",
        "2f20f8c3ce8290fcd03d96e69c7bc6338897a479",
        "github.com/terraform-providers/terraform-provider-docker",
    ),
    (
        "github.com/cyrilgdn/terraform-provider-postgresql",
        "450ce85b50c1f47ebdb239c9d05e2f53847389ba",
        "github.com/terraform-providers/terraform-provider-postgresql",
    ),
]
PLUGINS = [
    "registry.terraform.io/kreuzwerker/docker/3.6.2/linux_amd64/terraform-provider-docker_v3.6.2",
    "registry.terraform.io/cyrilgdn/postgresql/1.26.0/linux_amd64/terraform-provider-postgresql_v1.26.0",
]


def serve_placeholder(proxy: Path, upstream: str, commit: str, declared: str) -> None:
    """Lay out a tiny main module at the commit, as a Go proxy would serve it.
    The pseudo-version exists only inside this test's proxy."""
    version = f"v0.0.0-20250101000000-{commit[:12]}"
    versions = proxy / upstream / "@v"
    versions.mkdir(parents=True)
    info = json.dumps({"Version": version, "Time": "2025-01-01T00:00:00Z"})
    (versions / f"{commit}.info").write_text(info)
    (versions / f"{version}.info").write_text(info)
    go_mod = f"module {declared}\n\ngo 1.22\n"
    (versions / f"{version}.mod").write_text(go_mod)
    with zipfile.ZipFile(versions / f"{version}.zip", "w") as archive:
        prefix = f"{upstream}@{version}/"
        archive.writestr(prefix + "go.mod", go_mod)
        archive.writestr(
            prefix + "main.go",
            'package main\n\nvar version = "dev"\n\nfunc main() { println(version) }\n',
        )


@pytest.fixture
def sandbox(tmp_path) -> tuple[Path, dict]:
    if shutil.which("go") is None:
        pytest.fail("prerequisite missing: the go toolchain is not on PATH")
    repo = tmp_path / "repo"
    for part in ("scripts", "tools"):
        shutil.copytree(REPO / part, repo / part)
    proxy = tmp_path / "proxy"
    proxy.mkdir()
    env = {
        **os.environ,
        "GOPROXY": proxy.as_uri(),
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod",
        # Placeholder modules must never reach the real module cache.
        "GOMODCACHE": str(tmp_path / "modcache"),
    }
    yield repo, env, proxy
    subprocess.run(["go", "clean", "-modcache"], env=env, check=False)


def providers(repo: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/providers.sh"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_refused_sources_exit_3_with_one_line_per_provider(sandbox):
    repo, env, _ = sandbox

    result = providers(repo, env)

    assert result.returncode == 3
    reasons = [
        line for line in result.stderr.splitlines() if line.startswith("providers: ")
    ]
    assert [line.split(" unavailable ")[0] for line in reasons] == [
        "providers: kreuzwerker/docker 3.6.2",
        "providers: cyrilgdn/postgresql 1.26.0",
    ]
    assert "file://" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "error: provider plugins unavailable"
    )
    assert not (repo / ".cache/terraformrc").exists()


def test_available_sources_build_a_mirror_that_the_config_uses_alone(sandbox):
    repo, env, proxy = sandbox
    for source in SOURCES:
        serve_placeholder(proxy, *source)

    built = providers(repo, env)
    rerun = providers(repo, env)

    assert built.returncode == 0, built.stderr[-2000:]
    mirror = repo / ".cache/terraform-mirror"
    for plugin in PLUGINS:
        assert os.access(mirror / plugin, os.X_OK), plugin
    config = Path(built.stdout.splitlines()[-1])
    assert config == repo / ".cache/terraformrc"
    text = config.read_text()
    assert f'path = "{mirror}"' in text
    assert "direct" not in text
    assert rerun.returncode == 0
    assert "==>" not in rerun.stderr, "cached plugins must not be rebuilt"
    assert (repo / "tools/providers/go.mod").read_text() == (
        REPO / "tools/providers/go.mod"
    ).read_text()
