"""app.config: contract defaults, validation messages, secrets, CPU counting."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import config
from app.config import ConfigError, load_settings, usable_cpu_count

VALID = {
    "DB_HOST": "db",
    "DB_NAME": "smart_access",
    "DB_USER": "smart_access_runtime",
    "DB_PASSWORD": "db-password-never-logged",
    "PIN_HASH_KEY": "k" * 32,
}


def problems_for(**overrides: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings({**VALID, **overrides})
    return caught.value.problems


def test_defaults_come_from_the_contract():
    settings = load_settings(VALID)

    assert settings.app_env == "production"
    assert settings.bind_address() == "0.0.0.0:5000"
    assert settings.web_concurrency is None
    assert settings.workers_per_core == 1.0
    assert settings.max_workers is None
    assert (settings.threads, settings.timeout) == (4, 120)
    assert (settings.graceful_timeout, settings.keep_alive) == (120, 5)
    assert settings.log_level == "info"
    assert (settings.db_port, settings.db_sslmode) == (5432, "prefer")
    assert settings.bootstrap_admin_token is None
    assert settings.max_request_bytes == 65536


def test_every_value_is_parsed_to_its_type():
    settings = load_settings(
        {
            **VALID,
            "APP_ENV": "local",
            "API_HOST": "127.0.0.1",
            "API_PORT": "8080",
            "WEB_CONCURRENCY": "3",
            "WORKERS_PER_CORE": "0.5",
            "MAX_WORKERS": "6",
            "THREADS": "8",
            "TIMEOUT": "30",
            "GRACEFUL_TIMEOUT": "20",
            "KEEP_ALIVE": "2",
            "LOG_LEVEL": "debug",
            "DB_PORT": "6543",
            "DB_SSLMODE": "verify-full",
            "BOOTSTRAP_ADMIN_TOKEN": "local-bootstrap-token",
            "MAX_REQUEST_BYTES": "1024",
        }
    )

    assert settings.bind_address() == "127.0.0.1:8080"
    assert settings.web_concurrency == 3
    assert settings.workers_per_core == 0.5
    assert (settings.max_workers, settings.threads) == (6, 8)
    assert (settings.timeout, settings.graceful_timeout, settings.keep_alive) == (
        30,
        20,
        2,
    )
    assert (settings.log_level, settings.db_port) == ("debug", 6543)
    assert settings.bootstrap_admin_token == "local-bootstrap-token"
    assert settings.max_request_bytes == 1024


@pytest.mark.parametrize(
    ("bind", "api_host", "expected"),
    [
        ("127.0.0.1:9000", "", "127.0.0.1:9000"),
        ("[::]:5000", "", "[::]:5000"),
        ("localhost:1", "", "localhost:1"),
        ("", "::", "[::]:5000"),
        ("", "api.internal", "api.internal:5000"),
    ],
)
def test_bind_overrides_host_and_port(bind, api_host, expected):
    settings = load_settings({**VALID, "BIND": bind, "API_HOST": api_host})

    assert settings.bind_address() == expected


def test_an_empty_value_counts_as_unset():
    settings = load_settings({**VALID, "WEB_CONCURRENCY": "", "LOG_LEVEL": ""})

    assert settings.web_concurrency is None
    assert settings.log_level == "info"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"WORKERS_PER_CORE": "abc"},
            "WORKERS_PER_CORE: got 'abc'; expected a number > 0, decimals allowed (e.g. 0.5)",
        ),
        (
            {"WORKERS_PER_CORE": "0"},
            "WORKERS_PER_CORE: got '0'; expected a number > 0, decimals allowed (e.g. 0.5)",
        ),
        (
            {"WORKERS_PER_CORE": "-1"},
            "WORKERS_PER_CORE: got '-1'; expected a number > 0, decimals allowed (e.g. 0.5)",
        ),
        (
            {"WORKERS_PER_CORE": "nan"},
            "WORKERS_PER_CORE: got 'nan'; expected a number > 0, decimals allowed (e.g. 0.5)",
        ),
        (
            {"WEB_CONCURRENCY": "0"},
            "WEB_CONCURRENCY: got '0'; expected a whole number >= 1",
        ),
        (
            {"WEB_CONCURRENCY": "2.5"},
            "WEB_CONCURRENCY: got '2.5'; expected a whole number >= 1",
        ),
        (
            {"MAX_WORKERS": "-3"},
            "MAX_WORKERS: got '-3'; expected a whole number >= 1",
        ),
        ({"THREADS": "0"}, "THREADS: got '0'; expected a whole number >= 1"),
        ({"TIMEOUT": "soon"}, "TIMEOUT: got 'soon'; expected a whole number >= 1"),
        (
            {"GRACEFUL_TIMEOUT": "1e3"},
            "GRACEFUL_TIMEOUT: got '1e3'; expected a whole number >= 1",
        ),
        (
            {"KEEP_ALIVE": " 5"},
            "KEEP_ALIVE: got ' 5'; expected a whole number >= 1",
        ),
        (
            {"LOG_LEVEL": "verbose"},
            "LOG_LEVEL: got 'verbose'; expected one of debug, info, warning, error, critical",
        ),
        (
            {"LOG_LEVEL": "INFO"},
            "LOG_LEVEL: got 'INFO'; expected one of debug, info, warning, error, critical",
        ),
        (
            {"APP_ENV": "staging"},
            "APP_ENV: got 'staging'; expected one of local, production",
        ),
        (
            {"API_PORT": "0"},
            "API_PORT: got '0'; expected a port number from 1 to 65535",
        ),
        (
            {"API_PORT": "65536"},
            "API_PORT: got '65536'; expected a port number from 1 to 65535",
        ),
        (
            {"DB_PORT": "postgres"},
            "DB_PORT: got 'postgres'; expected a port number from 1 to 65535",
        ),
        (
            {"BIND": "5000"},
            "BIND: got '5000'; expected HOST:PORT, e.g. 0.0.0.0:5000 or [::]:5000, with a port from 1 to 65535",
        ),
        (
            {"BIND": "0.0.0.0:99999"},
            "BIND: got '0.0.0.0:99999'; expected HOST:PORT, e.g. 0.0.0.0:5000 or [::]:5000, with a port from 1 to 65535",
        ),
        (
            {"BIND": ":::5000"},
            "BIND: got ':::5000'; expected HOST:PORT, e.g. 0.0.0.0:5000 or [::]:5000, with a port from 1 to 65535",
        ),
        (
            {"DB_SSLMODE": "on"},
            "DB_SSLMODE: got 'on'; expected one of disable, allow, prefer, require, verify-ca, verify-full",
        ),
        (
            {"DB_HOST": " db"},
            "DB_HOST: got ' db'; expected a non-empty value without leading or trailing spaces",
        ),
        (
            {"MAX_REQUEST_BYTES": "512"},
            "MAX_REQUEST_BYTES: got '512'; expected a whole number >= 1024",
        ),
        (
            {"PIN_HASH_KEY": "too-short"},
            "PIN_HASH_KEY: got '<hidden, 9 characters>'; expected at least 32 characters",
        ),
        (
            {"BOOTSTRAP_ADMIN_TOKEN": "first-admin"},
            "BOOTSTRAP_ADMIN_TOKEN: got '<hidden, 11 characters>'; expected it unset unless APP_ENV=local (APP_ENV is 'production'); create the first admin token with `python -m app.cli create-admin-token` instead",
        ),
        (
            {"MAX_WORKERS": "9" * 5000},
            f"MAX_WORKERS: got '{'9' * 60}...'; expected a whole number >= 1",
        ),
        (
            {"TIMEOUT": "1\n2"},
            "TIMEOUT: got '1\\n2'; expected a whole number >= 1",
        ),
    ],
)
def test_an_invalid_value_is_named_with_what_is_accepted(overrides, message):
    assert problems_for(**overrides) == [message]


@pytest.mark.parametrize("name", ["DB_HOST", "DB_NAME", "DB_USER", "DB_PASSWORD"])
def test_a_missing_database_variable_is_reported(name):
    environ = {key: value for key, value in VALID.items() if key != name}

    with pytest.raises(ConfigError) as caught:
        load_settings(environ)

    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{name}: got nothing; expected ")
    assert caught.value.problems[0].endswith("(required)")


def test_every_problem_is_reported_at_once_on_one_line():
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {"WORKERS_PER_CORE": "abc", "WEB_CONCURRENCY": "0", "LOG_LEVEL": "loud"}
        )

    named = [problem.split(":")[0] for problem in caught.value.problems]
    assert named == [
        "WEB_CONCURRENCY",
        "WORKERS_PER_CORE",
        "LOG_LEVEL",
        "DB_HOST",
        "DB_NAME",
        "DB_USER",
        "DB_PASSWORD",
        "PIN_HASH_KEY",
    ]
    assert "\n" not in str(caught.value)
    assert str(caught.value) == "; ".join(caught.value.problems)


def test_a_long_value_is_shortened_in_the_message():
    (message,) = problems_for(API_PORT="9" * 200)

    assert (
        message
        == f"API_PORT: got '{'9' * 60}...'; expected a port number from 1 to 65535"
    )


def test_the_bootstrap_token_is_accepted_in_the_local_environment():
    settings = load_settings(
        {**VALID, "APP_ENV": "local", "BOOTSTRAP_ADMIN_TOKEN": "first-admin"}
    )

    assert settings.bootstrap_admin_token == "first-admin"


def test_secrets_never_appear_in_messages_repr_or_redacted_output():
    secret = "s3cret-value-that-must-not-leak-anywhere"
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {**VALID, "PIN_HASH_KEY": secret[:20], "BOOTSTRAP_ADMIN_TOKEN": secret}
        )
    settings = load_settings({**VALID, "DB_PASSWORD": secret, "PIN_HASH_KEY": secret})

    assert secret[:20] not in str(caught.value)
    assert secret not in repr(settings)
    assert secret not in str(settings.database_url())
    assert secret not in repr(settings.database_url())
    assert secret not in repr(settings.redacted())
    assert settings.redacted()["DB_PASSWORD"] == "***"
    assert settings.redacted()["BOOTSTRAP_ADMIN_TOKEN"] is None


def test_database_url_targets_psycopg_with_the_ssl_mode():
    settings = load_settings({**VALID, "DB_PORT": "6543", "DB_SSLMODE": "require"})

    url = settings.database_url()

    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("db", 6543, "smart_access")
    assert url.username == "smart_access_runtime"
    assert url.password == "db-password-never-logged"
    assert url.query == {"sslmode": "require"}


def test_settings_are_frozen():
    settings = load_settings(VALID)

    with pytest.raises(AttributeError):
        settings.threads = 1  # type: ignore[misc]


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


@pytest.mark.parametrize(
    ("files", "affinity", "expected"),
    [
        ({}, 8, 8),
        ({"cpu.max": "max 100000"}, 8, 8),
        ({"cpu.max": "100000 100000"}, 8, 1),
        ({"cpu.max": "150000 100000"}, 8, 2),
        ({"cpu.max": "50000 100000"}, 8, 1),
        ({"cpu.max": "400000 100000"}, 2, 2),
        (
            {"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"},
            8,
            8,
        ),
        (
            {"cpu/cpu.cfs_quota_us": "250000", "cpu/cpu.cfs_period_us": "100000"},
            8,
            3,
        ),
        (
            {
                "cpu,cpuacct/cpu.cfs_quota_us": "100000",
                "cpu,cpuacct/cpu.cfs_period_us": "100000",
            },
            4,
            1,
        ),
        ({"cpu.max": "garbage"}, 4, 4),
        ({}, 1, 1),
    ],
)
def test_usable_cpus_are_affinity_bounded_by_the_cgroup_quota(
    tmp_path, monkeypatch, files, affinity, expected
):
    for relative, text in files.items():
        write(tmp_path, relative, text)
    monkeypatch.setattr(
        config.os, "sched_getaffinity", lambda pid: set(range(affinity))
    )

    assert usable_cpu_count(tmp_path) == expected


def test_usable_cpus_on_this_machine_are_at_least_one():
    assert usable_cpu_count() >= 1
